package meshguard.rules.tm_selector_overlap_test

import data.meshguard.rules.tm_selector_overlap

review(labels) := {"request": {
	"kind": {"kind": "Telemetry"},
	"namespace": "default",
	"operation": "CREATE",
	"object": {"kind": "Telemetry", "metadata": {"name": "mine", "namespace": "default"}, "spec": {"selector": {"matchLabels": labels}}},
}}

telemetry(ns, name, labels) := {"kind": "Telemetry", "metadata": {"name": name, "namespace": ns}, "spec": {"selector": {"matchLabels": labels}}}

pod(ns, name, labels) := {"kind": "Pod", "metadata": {"name": name, "namespace": ns, "labels": labels}}

inventory := {
	"Pod": {"default": {"ratings": pod("default", "ratings", {"app": "ratings-app", "myapp": "ratings-myapp"})}},
	"Telemetry": {
		"default": {
			"by-app": telemetry("default", "by-app", {"app": "ratings-app"}),
			"namespace-wide": {"kind": "Telemetry", "metadata": {"name": "namespace-wide", "namespace": "default"}, "spec": {}},
		},
		"other": {"elsewhere": telemetry("other", "elsewhere", {"myapp": "ratings-myapp"})},
	},
}

test_overlap_denied if {
	tm_selector_overlap.violation == {{
		"id": "tm-selector-overlap",
		"message": "Telemetry default/mine and Telemetry default/by-app both select [\"Pod/ratings\"]: which one applies is undefined",
		"details": {"field": "spec.selector.matchLabels", "conflictingTelemetry": "by-app", "workloads": ["Pod/ratings"]},
	}} with input as review({"myapp": "ratings-myapp"})
		with data.meshguard.inventory as inventory
}

test_disjoint_allowed if {
	count(tm_selector_overlap.violation) == 0 with input as review({"app": "reviews"})
		with data.meshguard.inventory as inventory
	count(tm_selector_overlap.violation) == 0 with input as review({})
		with data.meshguard.inventory as inventory
}

test_cache_miss_silent if {
	count(tm_selector_overlap.violation) == 0 with input as review({"myapp": "ratings-myapp"})
		with data.meshguard.inventory as {"Telemetry": inventory.Telemetry}
}
