package meshguard.rules.ef_relative_operation_proxy_version_test

import data.meshguard.rules.ef_relative_operation_proxy_version

review(spec) := {"request": {
	"kind": {"kind": "EnvoyFilter"},
	"namespace": "istio-system",
	"operation": "CREATE",
	"object": {"kind": "EnvoyFilter", "metadata": {"name": "ef", "namespace": "istio-system"}, "spec": spec},
}}

patches := [
	{"applyTo": "HTTP_FILTER", "patch": {"operation": "INSERT_BEFORE"}},
	{"applyTo": "HTTP_FILTER", "match": {"proxy": {"proxyVersion": "^1\\.2.*"}}, "patch": {"operation": "INSERT_AFTER"}},
	{"applyTo": "HTTP_FILTER", "match": {"proxy": {"proxyVersion": "^1\\.2.*"}}, "patch": {"operation": "INSERT_FIRST"}},
]

test_relative_with_proxy_version_warns if {
	ef_relative_operation_proxy_version.violation == {{
		"id": "ef-relative-operation-proxy-version",
		"message": "EnvoyFilter istio-system/ef configPatches[1] uses the relative operation INSERT_AFTER on HTTP_FILTER without a priority and matches proxyVersion \"^1\\.2.*\", so it may not be applied during an upgrade",
		"details": {"field": "spec.configPatches[1].patch.operation", "operation": "INSERT_AFTER", "applyTo": "HTTP_FILTER", "proxyVersion": "^1\\.2.*"},
	}} with input as review({"configPatches": patches})
}

test_priority_silences if {
	count(ef_relative_operation_proxy_version.violation) == 0 with input as review({"priority": 1, "configPatches": patches})
}

test_delete_ignored if {
	count(ef_relative_operation_proxy_version.violation) == 0 with input as {"request": {"kind": {"kind": "EnvoyFilter"}, "operation": "DELETE", "namespace": "istio-system", "object": null}}
}
