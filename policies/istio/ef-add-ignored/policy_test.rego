package meshguard.rules.ef_add_ignored_test

import data.meshguard.rules.ef_add_ignored

review(patches) := {"request": {
	"kind": {"kind": "EnvoyFilter"},
	"namespace": "istio-system",
	"operation": "CREATE",
	"object": {"kind": "EnvoyFilter", "metadata": {"name": "ef", "namespace": "istio-system"}, "spec": {"configPatches": patches}},
}}

test_add_on_http_route_warns if {
	ef_add_ignored.violation == {{
		"id": "ef-add-ignored",
		"message": "EnvoyFilter istio-system/ef configPatches[1] uses ADD on HTTP_ROUTE, which Istio ignores",
		"details": {"field": "spec.configPatches[1].patch.operation", "operation": "ADD", "applyTo": "HTTP_ROUTE"},
	}} with input as review([
		{"applyTo": "CLUSTER", "patch": {"operation": "ADD", "value": {"name": "c"}}},
		{"applyTo": "HTTP_ROUTE", "patch": {"operation": "ADD", "value": {}}},
	])
}

test_add_elsewhere_allowed if {
	count(ef_add_ignored.violation) == 0 with input as review([{"applyTo": "CLUSTER", "patch": {"operation": "ADD"}}, {"applyTo": "HTTP_ROUTE", "patch": {"operation": "MERGE"}}])
}

test_delete_ignored if {
	count(ef_add_ignored.violation) == 0 with input as {"request": {"kind": {"kind": "EnvoyFilter"}, "operation": "DELETE", "namespace": "istio-system", "object": null}}
}
