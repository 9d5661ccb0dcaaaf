package meshguard.rules.ef_namespace_test

import data.meshguard.rules.ef_namespace

review(ns) := {"request": {
	"kind": {"kind": "EnvoyFilter"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": "EnvoyFilter", "metadata": {"name": "ef", "namespace": ns}, "spec": {}},
}}

test_app_namespace_denied if {
	ef_namespace.violation == {{
		"id": "ef-namespace",
		"message": "EnvoyFilter prod/ef is in namespace prod; EnvoyFilters are only allowed in [\"istio-system\"]",
		"details": {"field": "metadata.namespace", "namespace": "prod", "allowed": ["istio-system"]},
	}} with input as review("prod")
}

test_root_namespace_allowed if {
	count(ef_namespace.violation) == 0 with input as review("istio-system")
	count(ef_namespace.violation) == 0 with input as review("mesh-root")
		with data.meshguard.config as {"mesh": {"rootNamespace": "mesh-root"}}
}

test_allowlisted_namespace if {
	count(ef_namespace.violation) == 0 with input as review("edge")
		with data.meshguard.config as {"rules": {"ef-namespace": {"params": {"allowedNamespaces": ["edge"]}}}}
}

test_delete_ignored if {
	count(ef_namespace.violation) == 0 with input as {"request": {"kind": {"kind": "EnvoyFilter"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
