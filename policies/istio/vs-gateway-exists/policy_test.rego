package meshguard.rules.vs_gateway_exists_test

import data.meshguard.rules.vs_gateway_exists

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": "my-app", "namespace": "prod"},
		"spec": spec,
	},
}}

delete(spec) := object.union(review(spec), {"request": {"operation": "DELETE"}})

other_kind(spec) := object.union(review(spec), {"request": {"kind": {"kind": "DestinationRule"}}})

gateways := {"Gateway": {
	"prod": {"public": {"kind": "Gateway", "metadata": {"name": "public", "namespace": "prod"}, "spec": {}}},
	"edge": {"ingress": {"kind": "Gateway", "metadata": {"name": "ingress", "namespace": "edge"}, "spec": {}}},
}}

test_missing_gateways_are_denied if {
	vs_gateway_exists.violation == {
		{
			"id": "vs-gateway-exists",
			"message": "VirtualService prod/my-app is bound to gateway edge/missing (spec.gateways[2]), but Gateway edge/missing does not exist",
			"details": {"field": "spec.gateways[2]", "gateway": "edge/missing", "namespace": "edge", "name": "missing"},
		},
		{
			"id": "vs-gateway-exists",
			"message": "VirtualService prod/my-app is bound to gateway ingress (spec.gateways[3]), but Gateway prod/ingress does not exist",
			"details": {"field": "spec.gateways[3]", "gateway": "ingress", "namespace": "prod", "name": "ingress"},
		},
	} with input as review({"hosts": ["a.example.com"], "gateways": ["mesh", "public", "edge/missing", "ingress", "edge/ingress"]})
		with data.meshguard.inventory as gateways
}

test_existing_gateways_are_allowed if {
	count(vs_gateway_exists.violation) == 0 with input as review({"hosts": ["a.example.com"], "gateways": ["public", "edge/ingress", "ingress.edge.svc.cluster.local", "mesh"]})
		with data.meshguard.inventory as gateways
}

test_unknown_gateways_are_silent if {
	count(vs_gateway_exists.violation) == 0 with input as review({"hosts": ["a.example.com"], "gateways": ["nowhere"]})
		with data.meshguard.inventory as {"DestinationRule": {}}
}

test_delete_is_ignored if {
	count(vs_gateway_exists.violation) == 0 with input as delete({"gateways": ["nowhere"]})
		with data.meshguard.inventory as gateways
}
