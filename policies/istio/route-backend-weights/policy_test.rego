package meshguard.rules.route_backend_weights_test

import data.meshguard.rules.route_backend_weights

route(rules) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "HTTPRoute"},
	"namespace": "store",
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "store", "namespace": "store"}, "spec": {"rules": rules}},
}}

test_a_rule_with_weight_somewhere_passes if {
	count(route_backend_weights.violation) == 0 with input as route([
		{"backendRefs": [{"name": "a", "port": 80, "weight": 0}, {"name": "b", "port": 80}]},
		{"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}]},
	])
}

test_all_zero_weights_warn if {
	route_backend_weights.violation == {{
		"id": "route-backend-weights",
		"message": "HTTPRoute store/store rule 1 gives all 2 of its backendRefs weight 0, so the requests it matches get HTTP 500",
		"details": {"field": "spec.rules[1].backendRefs"},
	}} with input as route([
		{"backendRefs": [{"name": "a", "port": 80}]},
		{"backendRefs": [{"name": "a", "port": 80, "weight": 0}, {"name": "b", "port": 80, "weight": 0}]},
	])
}
