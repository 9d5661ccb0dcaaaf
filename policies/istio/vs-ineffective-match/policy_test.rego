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

# The cases below are Istio's analyzers testdata virtualservice_overlappingmatches.yaml.
product_get(p) := {"uri": {"prefix": p}, "method": {"exact": "GET"}}

test_prefix_without_method_covers_get if {
	vs_ineffective_match.violation == {{
		"id": "vs-ineffective-match",
		"message": "VirtualService prod/my-app rule \"send product to sample.foo\" match #1 (spec.http[0].match[1]) of prefix /api/v1/products is not used: match #0 of prefix /api/v1/product of rule \"send product to sample.foo\" covers it (IST0131)",
		"details": {"field": "spec.http[0].match[1]", "coveredBy": "spec.http[0].match[0]"},
	}} with input as review({"hosts": ["sample.baz.svc.cluster.local"], "http": [{
		"name": "send product to sample.foo",
		"match": [prefix("/api/v1/product"), product_get("/api/v1/products")],
		"route": to("sample.foo.svc.cluster.local"),
	}]})
}

test_exact_uri_is_not_compared if {
	count(vs_ineffective_match.violation) == 0 with input as review({"hosts": ["sample.baz.svc.cluster.local"], "http": [{
		"name": "send product to sample.foo",
		"match": [prefix("/"), {"uri": {"exact": "/"}, "method": {"exact": "GET"}}],
		"route": to("sample.foo.svc.cluster.local"),
	}]})
}

test_overlap_in_two_rules if {
	vs_ineffective_match.violation == {{
		"id": "vs-ineffective-match",
		"message": "VirtualService prod/my-app rule \"send products to sample.bar\" match #0 (spec.http[1].match[0]) of prefix /api/v1/products is not used: match #0 of prefix /api/v1/product of rule \"send product to sample.foo\" covers it (IST0131)",
		"details": {"field": "spec.http[1].match[0]", "coveredBy": "spec.http[0].match[0]"},
	}} with input as review({"hosts": ["sample.baz.svc.cluster.local"], "http": [
		{"name": "send product to sample.foo", "match": [product_get("/api/v1/product")], "route": to("sample.foo.svc.cluster.local")},
		{"name": "send products to sample.bar", "match": [product_get("/api/v1/products")], "route": to("sample.bar.svc.cluster.local")},
	]})
}

test_different_methods_do_not_overlap if {
	vs_ineffective_match.violation == {{
		"id": "vs-ineffective-match",
		"message": "VirtualService prod/my-app rule \"send products to sample.bar\" match #0 (spec.http[1].match[0]) of prefix /api/v1/product is not used: match #0 of prefix /api/v1/prod of rule \"send product to sample.foo\" covers it (IST0131)",
		"details": {"field": "spec.http[1].match[0]", "coveredBy": "spec.http[0].match[0]"},
	}} with input as review({"hosts": ["sample.baz.svc.cluster.local"], "http": [
		{"name": "send product to sample.foo", "match": [product_get("/api/v1/prod")], "route": to("sample.foo.svc.cluster.local")},
		{
			"name": "send products to sample.bar", "match": [
				product_get("/api/v1/product"),
				{"uri": {"prefix": "/api/v1/products"}, "method": {"exact": "POST"}},
			],
			"route": to("sample.bar.svc.cluster.local"),
		},
	]})
}

test_overlap_needs_same_port_and_header_keys if {
	count(vs_ineffective_match.violation) == 0 with input as review({"hosts": ["my-app"], "http": [
		{"match": [object.union(prefix("/a"), {"port": 8080}), object.union(prefix("/b"), {"headers": {"x": {"exact": "1"}}})], "route": to("a")},
		{"match": [prefix("/ab"), object.union(prefix("/bc"), {"headers": {"y": {"exact": "1"}}})], "route": to("b")},
		{"route": to("default")},
		{"match": [prefix("/abc")], "route": to("late")},
	]})
}

test_repeated_match_takes_no_part_but_first_covers_all_later if {
	vs_ineffective_match.violation == {
		{
			"id": "vs-ineffective-match",
			"message": "VirtualService prod/my-app rule #1 match #0 (spec.http[1].match[0]) is not used: it repeats a match of rule #0 (IST0131)",
			"details": {"field": "spec.http[1].match[0]", "duplicateOf": "spec.http[0]"},
		},
		{
			"id": "vs-ineffective-match",
			"message": "VirtualService prod/my-app rule #1 match #1 (spec.http[1].match[1]) of prefix /ab is not used: match #0 of prefix /a of rule #0 covers it (IST0131)",
			"details": {"field": "spec.http[1].match[1]", "coveredBy": "spec.http[0].match[0]"},
		},
		{
			"id": "vs-ineffective-match",
			"message": "VirtualService prod/my-app rule #2 match #0 (spec.http[2].match[0]) of prefix /abc is not used: match #0 of prefix /a of rule #0 covers it (IST0131)",
			"details": {"field": "spec.http[2].match[0]", "coveredBy": "spec.http[0].match[0]"},
		},
		{
			"id": "vs-ineffective-match",
			"message": "VirtualService prod/my-app rule #2 match #0 (spec.http[2].match[0]) of prefix /abc is not used: match #1 of prefix /ab of rule #1 covers it (IST0131)",
			"details": {"field": "spec.http[2].match[0]", "coveredBy": "spec.http[1].match[1]"},
		},
	} with input as review({"hosts": ["my-app"], "http": [
		{"match": [prefix("/a")], "route": to("a")},
		{"match": [prefix("/a"), prefix("/ab")], "route": to("b")},
		{"match": [prefix("/abc")], "route": to("c")},
	]})
}

test_equal_uris_with_different_headers_are_distinct if {
	count(vs_ineffective_match.violation) == 0 with input as review({"hosts": ["my-app"], "http": [
		{"match": [{"uri": {"exact": "/a"}, "headers": {"x-team": {"exact": "a"}}}], "route": to("a")},
		{"match": [{"uri": {"exact": "/a"}, "headers": {"x-team": {"exact": "b"}}}], "route": to("b")},
		{"match": [{"headers": {"x-team": {"exact": "c"}}}, {"headers": {"x-team": {"exact": "d"}}}], "route": to("c")},
	]})
}
