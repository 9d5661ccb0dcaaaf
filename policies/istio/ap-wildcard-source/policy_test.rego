package meshguard.rules.ap_wildcard_source_test

import data.meshguard.rules.ap_wildcard_source

review(spec) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "prod",
	"operation": "UPDATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": "prod"}, "spec": spec},
}}

test_wildcard_principal_and_namespace if {
	ap_wildcard_source.violation == {
		{
			"id": "ap-wildcard-source",
			"message": "AuthorizationPolicy prod/ap allows any principal: spec.rules[0].from[1].source.principals contains \"*\"",
			"details": {"field": "spec.rules[0].from[1].source.principals", "value": "*"},
		},
		{
			"id": "ap-wildcard-source",
			"message": "AuthorizationPolicy prod/ap allows any namespace: spec.rules[1].from[0].source.namespaces contains \"*\"",
			"details": {"field": "spec.rules[1].from[0].source.namespaces", "value": "*"},
		},
	} with input as review({"rules": [
		{"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}, {"source": {"principals": ["x", "*"]}}]},
		{"from": [{"source": {"namespaces": ["*"]}}]},
	]})
}

test_prefix_wildcards_and_request_principals_allowed if {
	count(ap_wildcard_source.violation) == 0 with input as review({"rules": [{"from": [{"source": {
		"principals": ["cluster.local/ns/prod/sa/*"],
		"namespaces": ["team-*"],
		"requestPrincipals": ["*"],
		"notPrincipals": ["*"],
	}}]}]})
}

test_deny_action_allowed if {
	count(ap_wildcard_source.violation) == 0 with input as review({"action": "DENY", "rules": [{"from": [{"source": {"principals": ["*"]}}]}]})
}

test_delete_ignored if {
	count(ap_wildcard_source.violation) == 0 with input as {"request": {"kind": {"kind": "AuthorizationPolicy"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
