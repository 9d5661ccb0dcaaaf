package meshguard.rules.amb_waypoint_unbound_test

import data.meshguard.rules.amb_waypoint_unbound

review := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "shop",
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": "shop"}, "spec": {
		"targetRefs": [{"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "wp"}],
		"action": "DENY",
		"rules": [{"to": [{"operation": {"paths": ["/admin"]}}]}],
	}},
}}

waypoint := {"metadata": {"name": "wp", "namespace": "shop"}, "spec": {"gatewayClassName": "istio-waypoint"}}

inventory(ns_labels, services) := {
	"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": ns_labels}}, "infra": {"metadata": {"name": "infra"}}}},
	"KubernetesGateway": {"shop": {"wp": waypoint}},
	"Service": services,
}

test_unbound_waypoint_warned if {
	amb_waypoint_unbound.violation == {{
		"id": "amb-waypoint-unbound",
		"message": "AuthorizationPolicy shop/ap is attached to waypoint shop/wp (spec.targetRefs[0]), but no namespace, service or workload uses that waypoint (istio.io/use-waypoint), so no traffic reaches the policy",
		"details": {"field": "spec.targetRefs[0]", "waypoint": "shop/wp"},
	}} with input as review with data.meshguard.inventory as inventory({"istio.io/dataplane-mode": "ambient"}, {"shop": {"reviews": {"metadata": {"name": "reviews", "namespace": "shop", "labels": {"istio.io/use-waypoint": "other"}}}}})
}

test_bound_by_namespace_service_or_workload_allowed if {
	count(amb_waypoint_unbound.violation) == 0 with input as review with data.meshguard.inventory as inventory({"istio.io/use-waypoint": "wp"}, {})
	svc := {"infra": {"api": {"metadata": {"name": "api", "namespace": "infra", "labels": {"istio.io/use-waypoint": "wp", "istio.io/use-waypoint-namespace": "shop"}}}}}
	count(amb_waypoint_unbound.violation) == 0 with input as review with data.meshguard.inventory as inventory({}, svc)
	deploy := {"Deployment": {"shop": {"ratings": {"metadata": {"name": "ratings", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"istio.io/use-waypoint": "wp"}}}}}}}}
	count(amb_waypoint_unbound.violation) == 0 with input as review with data.meshguard.inventory as object.union(inventory({}, {}), deploy)
}

test_other_gateways_and_unknown_inventory_silent if {
	ingress := object.union(inventory({}, {}), {"KubernetesGateway": {"shop": {"wp": {"metadata": {"name": "wp", "namespace": "shop"}, "spec": {"gatewayClassName": "istio"}}}}})
	count(amb_waypoint_unbound.violation) == 0 with input as review with data.meshguard.inventory as ingress
	count(amb_waypoint_unbound.violation) == 0 with input as review with data.meshguard.inventory as {"KubernetesGateway": {"shop": {"wp": waypoint}}}
}
