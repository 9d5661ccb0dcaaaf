package meshguard.rules.waypoint_in_use_test

import data.meshguard.rules.waypoint_in_use

waypoint(class) := {
	"apiVersion": "gateway.networking.k8s.io/v1",
	"kind": "Gateway",
	"metadata": {"name": "waypoint", "namespace": "shop"},
	"spec": {"gatewayClassName": class, "listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE"}]},
}

delete(class) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "Gateway"},
	"namespace": "shop",
	"name": "waypoint",
	"operation": "DELETE",
	"object": null,
	"oldObject": waypoint(class),
}}

labelled(kind, ns, name, labels) := {"kind": kind, "metadata": {"name": name, "namespace": ns, "labels": labels}}

inventory := {
	"KubernetesGateway": {"shop": {"waypoint": waypoint("istio-waypoint")}},
	"Namespace": {"": {
		"shop": {"kind": "Namespace", "metadata": {"name": "shop", "labels": {"istio.io/use-waypoint": "waypoint"}}},
		"other": {"kind": "Namespace", "metadata": {"name": "other", "labels": {"istio.io/use-waypoint": "waypoint"}}},
	}},
	"Service": {"team-b": {"api": labelled("Service", "team-b", "api", {"istio.io/use-waypoint": "waypoint", "istio.io/use-waypoint-namespace": "shop"})}},
	"Pod": {"shop": {
		"cart-1": labelled("Pod", "shop", "cart-1", {"istio.io/use-waypoint": "waypoint"}),
		"cart-2": labelled("Pod", "shop", "cart-2", {"istio.io/use-waypoint": "none"}),
	}},
}

test_deleting_a_waypoint_in_use_warns if {
	waypoint_in_use.violation == {{
		"id": "waypoint-in-use",
		"message": "Gateway shop/waypoint is deleted, but waypoint shop/waypoint is still referenced by Namespace shop (metadata.labels['istio.io/use-waypoint']), Pod shop/cart-1 (metadata.labels['istio.io/use-waypoint']), Service team-b/api (metadata.labels['istio.io/use-waypoint'])",
		"details": {
			"changedField": "metadata.name", "waypoint": "shop/waypoint", "referrerCount": 3,
			"referrers": [
				{"kind": "Namespace", "namespace": "", "name": "shop", "field": "metadata.labels['istio.io/use-waypoint']"},
				{"kind": "Pod", "namespace": "shop", "name": "cart-1", "field": "metadata.labels['istio.io/use-waypoint']"},
				{"kind": "Service", "namespace": "team-b", "name": "api", "field": "metadata.labels['istio.io/use-waypoint']"},
			],
		},
	}} with input as delete("istio-waypoint") with data.meshguard.inventory as inventory
}

test_other_gateway_classes_are_not_waypoints if {
	count(waypoint_in_use.violation) == 0 with input as delete("istio") with data.meshguard.inventory as inventory
}
