package meshguard.rules.ef_relative_operation_test

import data.meshguard.rules.ef_relative_operation

review(spec) := {"request": {
	"kind": {"kind": "EnvoyFilter"},
	"namespace": "istio-system",
	"operation": "CREATE",
	"object": {"kind": "EnvoyFilter", "metadata": {"name": "ef", "namespace": "istio-system"}, "spec": spec},
}}

v(i, op, apply_to) := {
	"id": "ef-relative-operation",
	"message": sprintf("EnvoyFilter istio-system/ef configPatches[%d] uses the relative operation %s on %s without a priority, so it may not be applied", [i, op, apply_to]),
	"details": {"field": sprintf("spec.configPatches[%d].patch.operation", [i]), "operation": op, "applyTo": apply_to},
}

patches := [
	{"applyTo": "HTTP_FILTER", "patch": {"operation": "INSERT_BEFORE"}},
	{"applyTo": "LISTENER", "patch": {"operation": "INSERT_AFTER"}},
	{"applyTo": "NETWORK_FILTER", "patch": {"operation": "REPLACE"}},
	{"applyTo": "CLUSTER", "patch": {"operation": "REPLACE"}},
	{"applyTo": "HTTP_FILTER", "patch": {"operation": "REMOVE"}},
	{"applyTo": "HTTP_ROUTE", "patch": {"operation": "REMOVE"}},
	{"applyTo": "HTTP_FILTER", "patch": {"operation": "INSERT_FIRST"}},
	{"applyTo": "CLUSTER", "patch": {"operation": "ADD"}},
	{"applyTo": "VIRTUAL_HOST", "patch": {"operation": "MERGE"}},
	{"applyTo": "HTTP_FILTER", "match": {"proxy": {"proxyVersion": "^1\\.2.*"}}, "patch": {"operation": "INSERT_BEFORE"}},
]

test_relative_operations_warn if {
	ef_relative_operation.violation == {
		v(0, "INSERT_BEFORE", "HTTP_FILTER"),
		v(1, "INSERT_AFTER", "LISTENER"),
		v(2, "REPLACE", "NETWORK_FILTER"),
		v(4, "REMOVE", "HTTP_FILTER"),
	} with input as review({"configPatches": patches})
}

test_priority_silences if {
	count(ef_relative_operation.violation) == 0 with input as review({"priority": 10, "configPatches": patches})
	count(ef_relative_operation.violation) == 0 with input as review({"priority": -1, "configPatches": patches})
}

test_delete_ignored if {
	count(ef_relative_operation.violation) == 0 with input as {"request": {"kind": {"kind": "EnvoyFilter"}, "operation": "DELETE", "namespace": "istio-system", "object": null}}
}
