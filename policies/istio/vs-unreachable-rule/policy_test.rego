package meshguard.rules.vs_unreachable_rule_test

import data.meshguard.rules.vs_unreachable_rule

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": "my-app", "namespace": "prod"},
		"spec": spec,
	},
}}

to(host) := [{"destination": {"host": host}}]

prefix(p) := {"uri": {"prefix": p}}

test_unreachable_rules_warn if {
	vs_unreachable_rule.violation == {
		{
			"id": "vs-unreachable-rule",
			"message": "VirtualService prod/my-app rule #1 (spec.http[1]) is never used: all matches used by prior rules (IST0130)",
			"details": {"field": "spec.http[1]", "reason": "all matches used by prior rules"},
		},
		{
			"id": "vs-unreachable-rule",
			"message": "VirtualService prod/my-app rule \"late\" (spec.http[3]) is never used: route without matches defined before (IST0130)",
			"details": {"field": "spec.http[3]", "reason": "route without matches defined before"},
		},
		{
			"id": "vs-unreachable-rule",
			"message": "VirtualService prod/my-app rule #4 (spec.http[4]) is never used: only the last rule can have no matches (IST0130)",
			"details": {"field": "spec.http[4]", "reason": "only the last rule can have no matches"},
		},
		{
			"id": "vs-unreachable-rule",
			"message": "VirtualService prod/my-app rule #1 (spec.tcp[1]) is never used: all matches used by prior rules (IST0130)",
			"details": {"field": "spec.tcp[1]", "reason": "all matches used by prior rules"},
		},
	} with input as review({
		"hosts": ["my-app"], "http": [
			{"match": [prefix("/a"), prefix("/b")], "route": to("a")},
			{"match": [object.union(prefix("/b"), {"name": "again"}), prefix("/a")], "route": to("b")},
			{"route": to("default")},
			{"name": "late", "match": [prefix("/c")], "route": to("c")},
			{"route": to("other")},
		],
		"tcp": [
			{"match": [{"port": 3306}], "route": to("db")},
			{"match": [{"port": 3306}], "route": to("db2")},
		],
	})
}

test_ordered_distinct_rules_are_silent if {
	count(vs_unreachable_rule.violation) == 0 with input as review({"hosts": ["my-app"], "http": [
		{"match": [prefix("/a")], "route": to("a")},
		{"match": [prefix("/a"), prefix("/b")], "route": to("b")},
		{"route": to("default")},
	]})
}
