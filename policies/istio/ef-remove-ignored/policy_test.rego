package meshguard.rules.ef_remove_ignored_test

import data.meshguard.rules.ef_remove_ignored

review(patches) := {"request": {
	"kind": {"kind": "EnvoyFilter"},
	"namespace": "istio-system",
	"operation": "CREATE",
	"object": {"kind": "EnvoyFilter", "metadata": {"name": "ef", "namespace": "istio-system"}, "spec": {"configPatches": patches}},
}}

test_remove_on_route_configuration_warns if {
	ef_remove_ignored.violation == {{
		"id": "ef-remove-ignored",
		"message": "EnvoyFilter istio-system/ef configPatches[0] uses REMOVE on ROUTE_CONFIGURATION, which Istio ignores",
		"details": {"field": "spec.configPatches[0].patch.operation", "operation": "REMOVE", "applyTo": "ROUTE_CONFIGURATION"},
	}} with input as review([{"applyTo": "ROUTE_CONFIGURATION", "patch": {"operation": "REMOVE"}}])
}

test_remove_of_filter_allowed if {
	count(ef_remove_ignored.violation) == 0 with input as review([{"applyTo": "HTTP_FILTER", "patch": {"operation": "REMOVE"}}])
}

test_delete_ignored if {
	count(ef_remove_ignored.violation) == 0 with input as {"request": {"kind": {"kind": "EnvoyFilter"}, "operation": "DELETE", "namespace": "istio-system", "object": null}}
}
