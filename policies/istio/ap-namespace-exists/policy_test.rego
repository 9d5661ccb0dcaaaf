package meshguard.rules.ap_namespace_exists_test

import data.meshguard.rules.ap_namespace_exists

review(source) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": "prod"}, "spec": {"rules": [{"from": [{"source": source}]}]}},
}}

namespace(n) := {"kind": "Namespace", "metadata": {"name": n}}

inventory := {"Namespace": {"": {"prod": namespace("prod"), "frontend": namespace("frontend"), "team-a": namespace("team-a")}}}

test_missing_namespaces_denied if {
	ap_namespace_exists.violation == {
		{
			"id": "ap-namespace-exists",
			"message": "AuthorizationPolicy prod/ap: referenced namespace not found: fronted (rules[0].from[0].source.namespaces)",
			"details": {"field": "spec.rules[0].from[0].source.namespaces[1]", "namespace": "fronted"},
		},
		{
			"id": "ap-namespace-exists",
			"message": "AuthorizationPolicy prod/ap: referenced namespace not found: legacy (rules[0].from[0].source.notNamespaces)",
			"details": {"field": "spec.rules[0].from[0].source.notNamespaces[0]", "namespace": "legacy"},
		},
	} with input as review({"namespaces": ["prod", "fronted"], "notNamespaces": ["legacy"]})
		with data.meshguard.inventory as inventory
}

test_wildcards_and_case_allowed if {
	count(ap_namespace_exists.violation) == 0 with input as review({"namespaces": ["*", "team-*", "*end", "PROD"]})
		with data.meshguard.inventory as inventory
}

test_wildcard_matching_nothing_denied if {
	ap_namespace_exists.violation == {
		{
			"id": "ap-namespace-exists",
			"message": "AuthorizationPolicy prod/ap: referenced namespace not found: team-b* (rules[0].from[0].source.namespaces)",
			"details": {"field": "spec.rules[0].from[0].source.namespaces[0]", "namespace": "team-b*"},
		},
		{
			"id": "ap-namespace-exists",
			"message": "AuthorizationPolicy prod/ap: referenced namespace not found: *-b (rules[0].from[0].source.namespaces)",
			"details": {"field": "spec.rules[0].from[0].source.namespaces[1]", "namespace": "*-b"},
		},
	} with input as review({"namespaces": ["team-b*", "*-b"]})
		with data.meshguard.inventory as inventory
}

test_namespaces_not_known_is_silent if {
	count(ap_namespace_exists.violation) == 0 with input as review({"namespaces": ["fronted"]})
		with data.meshguard.inventory as {"Service": {}}
}
