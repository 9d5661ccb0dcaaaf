package meshguard.rules.route_backend_grant_test

import data.meshguard.rules.route_backend_grant

route(kind, backends) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": kind},
	"namespace": "store",
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind, "metadata": {"name": "store", "namespace": "store"}, "spec": {"rules": [{"backendRefs": backends}]}},
}}

grant(from_kind, to_name) := {"kind": "ReferenceGrant", "metadata": {"name": "g", "namespace": "backends"}, "spec": {
	"from": [{"group": "gateway.networking.k8s.io", "kind": from_kind, "namespace": "store"}],
	"to": [{"group": "", "kind": "Service", "name": to_name}],
}}

test_granted_and_same_namespace_backends_pass if {
	count(route_backend_grant.violation) == 0 with input as route("HTTPRoute", [{"name": "payments", "namespace": "backends", "port": 80}, {"name": "local", "port": 80}])
		with data.meshguard.inventory as {"ReferenceGrant": {"backends": {"g": grant("HTTPRoute", "payments")}}}
}

test_ungranted_backends_are_denied if {
	route_backend_grant.violation == {{
		"id": "route-backend-grant",
		"message": "GRPCRoute store/store routes to Service backends/payments (spec.rules[0].backendRefs[0]) in another namespace, but no ReferenceGrant in backends allows references from GRPCRoute in store",
		"details": {"field": "spec.rules[0].backendRefs[0].namespace", "backend": {"kind": "Service", "namespace": "backends", "name": "payments"}},
	}} with input as route("GRPCRoute", [{"name": "payments", "namespace": "backends", "port": 80}])
		with data.meshguard.inventory as {"ReferenceGrant": {"backends": {"g": grant("HTTPRoute", "")}}}
	count(route_backend_grant.violation) == 1 with input as route("HTTPRoute", [{"name": "payments", "namespace": "backends", "port": 80}])
		with data.meshguard.inventory as {"ReferenceGrant": {"backends": {"g": grant("HTTPRoute", "ledger")}}}
}

test_without_grants_known_nothing_is_judged if {
	count(route_backend_grant.violation) == 0 with input as route("HTTPRoute", [{"name": "payments", "namespace": "backends", "port": 80}])
		with data.meshguard.inventory as {}
}
