package meshguard.rules.ap_allow_all_test

import data.meshguard.rules.ap_allow_all

review(spec) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": "prod"}, "spec": spec},
}}

test_empty_rule_allows_all if {
	ap_allow_all.violation == {{
		"id": "ap-allow-all",
		"message": "AuthorizationPolicy prod/ap allows every request: rules[0] has no from, to or when",
		"details": {"field": "spec.rules[0]", "action": "ALLOW", "rule": {}},
	}} with input as review({"rules": [{}]})
}

test_explicit_allow_with_empty_lists if {
	ap_allow_all.violation == {{
		"id": "ap-allow-all",
		"message": "AuthorizationPolicy prod/ap allows every request: rules[1] has no from, to or when",
		"details": {"field": "spec.rules[1]", "action": "ALLOW", "rule": {"from": [], "when": []}},
	}} with input as review({"action": "ALLOW", "rules": [{"to": [{"operation": {"methods": ["GET"]}}]}, {"from": [], "when": []}]})
}

test_no_rules_is_deny_all_and_allowed if {
	count(ap_allow_all.violation) == 0 with input as review({})
	count(ap_allow_all.violation) == 0 with input as review({"action": "ALLOW"})
}

test_scoped_rules_allowed if {
	count(ap_allow_all.violation) == 0 with input as review({"rules": [{"from": [{"source": {"principals": ["cluster.local/ns/a/sa/b"]}}]}]})
}

test_deny_and_audit_empty_rule_allowed if {
	count(ap_allow_all.violation) == 0 with input as review({"action": "DENY", "rules": [{}]})
	count(ap_allow_all.violation) == 0 with input as review({"action": "AUDIT", "rules": [{}]})
}

test_delete_and_other_kinds_ignored if {
	count(ap_allow_all.violation) == 0 with input as {"request": {"kind": {"kind": "AuthorizationPolicy"}, "operation": "DELETE", "namespace": "prod", "object": null, "oldObject": {"metadata": {"name": "ap"}, "spec": {"rules": [{}]}}}}
	count(ap_allow_all.violation) == 0 with input as {"request": {"kind": {"kind": "PeerAuthentication"}, "operation": "CREATE", "namespace": "prod", "object": {"metadata": {"name": "ap"}, "spec": {"rules": [{}]}}}}
}
