package meshguard.rules.vs_ineffective_match_test

import data.meshguard.rules.vs_ineffective_match

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

test_repeated_matches_are_reported if {
	vs_ineffective_match.violation == {
		{
			"id": "vs-ineffective-match",
			"message": "VirtualService prod/my-app rule \"second\" match \"again\" (spec.http[1].match[0]) is not used: it repeats a match of rule #0 (IST0131)",
			"details": {"field": "spec.http[1].match[0]", "duplicateOf": "spec.http[0]"},
		},
		{
			"id": "vs-ineffective-match",
			"message": "VirtualService prod/my-app rule #0 match #1 (spec.tls[0].match[1]) is not used: it repeats a match of rule #0 (IST0131)",
			"details": {"field": "spec.tls[0].match[1]", "duplicateOf": "spec.tls[0]"},
		},
	} with input as review({
		"hosts": ["my-app"], "http": [
			{"match": [prefix("/a")], "route": to("a")},
			{"name": "second", "match": [object.union(prefix("/a"), {"name": "again"}), prefix("/b")], "route": to("b")},
			{"route": to("default")},
			{"match": [prefix("/a")], "route": to("late")},
		],
		"tls": [{"match": [{"sniHosts": ["a.example.com"]}, {"sniHosts": ["a.example.com"]}], "route": to("a")}],
	})
}

test_distinct_matches_are_silent if {
	count(vs_ineffective_match.violation) == 0 with input as review({"hosts": ["my-app"], "http": [
		{"match": [prefix("/a")], "route": to("a")},
		{"match": [prefix("/b"), {"uri": {"exact": "/a"}}], "route": to("b")},
	]})
}
