package meshguard.rules.ef_replace_invalid_test

import data.meshguard.rules.ef_replace_invalid

review(patches) := {"request": {
	"kind": {"kind": "EnvoyFilter"},
	"namespace": "istio-system",
	"operation": "CREATE",
	"object": {"kind": "EnvoyFilter", "metadata": {"name": "ef", "namespace": "istio-system"}, "spec": {"configPatches": patches}},
}}

test_replace_on_cluster_warns if {
	ef_replace_invalid.violation == {{
		"id": "ef-replace-invalid",
		"message": "EnvoyFilter istio-system/ef configPatches[0] uses REPLACE on CLUSTER; REPLACE only applies to HTTP_FILTER and NETWORK_FILTER",
		"details": {"field": "spec.configPatches[0].patch.operation", "operation": "REPLACE", "applyTo": "CLUSTER"},
	}} with input as review([{"applyTo": "CLUSTER", "patch": {"operation": "REPLACE", "value": {}}}])
}

test_replace_on_filters_allowed if {
	count(ef_replace_invalid.violation) == 0 with input as review([
		{"applyTo": "HTTP_FILTER", "patch": {"operation": "REPLACE"}},
		{"applyTo": "NETWORK_FILTER", "patch": {"operation": "REPLACE"}},
	])
}

test_delete_ignored if {
	count(ef_replace_invalid.violation) == 0 with input as {"request": {"kind": {"kind": "EnvoyFilter"}, "operation": "DELETE", "namespace": "istio-system", "object": null}}
}
