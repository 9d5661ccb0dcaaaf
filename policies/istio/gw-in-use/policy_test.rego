package meshguard.rules.gw_in_use_test

import data.meshguard.rules.gw_in_use

gateway(group, ns, name) := {
	"apiVersion": concat("/", [group, "v1"]),
	"kind": "Gateway",
	"metadata": {"name": name, "namespace": ns},
	"spec": {},
}

delete(group, ns, name) := {"request": {
	"uid": "1",
	"kind": {"group": group, "version": "v1", "kind": "Gateway"},
	"namespace": ns,
	"name": name,
	"operation": "DELETE",
	"object": null,
	"oldObject": gateway(group, ns, name),
}}

vs(ns, name, gateways) := {
	"kind": "VirtualService",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"hosts": ["shop.example.com"], "gateways": gateways},
}

inventory := {
	"Gateway": {"istio-system": {"public": gateway("networking.istio.io", "istio-system", "public")}},
	"VirtualService": {
		"istio-system": {"local": vs("istio-system", "local", ["public"])},
		"shop": {
			"front": vs("shop", "front", ["mesh", "istio-system/public"]),
			"legacy": vs("shop", "legacy", ["public.istio-system.svc.cluster.local"]),
			"other": vs("shop", "other", ["public"]),
		},
	},
}

test_deleting_a_bound_istio_gateway_is_refused if {
	gw_in_use.violation == {{
		"id": "gw-in-use",
		"message": "Gateway istio-system/public is deleted, but gateway istio-system/public is still referenced by VirtualService istio-system/local (spec.gateways[0]), VirtualService shop/front (spec.gateways[1]), VirtualService shop/legacy (spec.gateways[0])",
		"details": {
			"changedField": "metadata.name", "gateway": "istio-system/public", "referrerCount": 3,
			"referrers": [
				{"kind": "VirtualService", "namespace": "istio-system", "name": "local", "field": "spec.gateways[0]"},
				{"kind": "VirtualService", "namespace": "shop", "name": "front", "field": "spec.gateways[1]"},
				{"kind": "VirtualService", "namespace": "shop", "name": "legacy", "field": "spec.gateways[0]"},
			],
		},
	}} with input as delete("networking.istio.io", "istio-system", "public") with data.meshguard.inventory as inventory
}

test_deleting_a_bound_kubernetes_gateway_is_refused if {
	some v in gw_in_use.violation with input as delete("gateway.networking.k8s.io", "shop", "public")
		with data.meshguard.inventory as object.union(inventory, {"KubernetesGateway": {"shop": {"public": gateway("gateway.networking.k8s.io", "shop", "public")}}})
	v.message == "Gateway shop/public is deleted, but gateway shop/public is still referenced by VirtualService shop/other (spec.gateways[0])"
}

test_a_gateway_of_the_other_kind_keeps_the_binding if {
	count(gw_in_use.violation) == 0 with input as delete("networking.istio.io", "istio-system", "public")
		with data.meshguard.inventory as object.union(inventory, {"KubernetesGateway": {"istio-system": {"public": gateway("gateway.networking.k8s.io", "istio-system", "public")}}})
}

test_unbound_gateways_updates_and_unknown_virtual_services_are_silent if {
	count(gw_in_use.violation) == 0 with input as delete("networking.istio.io", "istio-system", "internal") with data.meshguard.inventory as inventory
	count(gw_in_use.violation) == 0 with input as object.union(delete("networking.istio.io", "istio-system", "public"), {"request": {"operation": "UPDATE", "object": gateway("networking.istio.io", "istio-system", "public")}})
		with data.meshguard.inventory as inventory
	count(gw_in_use.violation) == 0 with input as delete("networking.istio.io", "istio-system", "public") with data.meshguard.inventory as {"Gateway": {}}
}
