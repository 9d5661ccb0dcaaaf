package meshguard.rules.tm_multiple_default_test

import data.meshguard.rules.tm_multiple_default

review(spec) := {"request": {
	"kind": {"kind": "Telemetry"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Telemetry", "metadata": {"name": "new", "namespace": "prod"}, "spec": spec},
}}

tel(ns, name, spec) := {"kind": "Telemetry", "metadata": {"name": name, "namespace": ns}, "spec": spec}

inventory := {"Telemetry": {
	"prod": {
		"mesh-logs": tel("prod", "mesh-logs", {"accessLogging": [{"providers": [{"name": "envoy"}]}]}),
		"web": tel("prod", "web", {"selector": {"matchLabels": {"app": "web"}}}),
		"new": tel("prod", "new", {}),
	},
	"dev": {"other": tel("dev", "other", {})},
}}

test_second_selectorless_denied if {
	tm_multiple_default.violation == {{
		"id": "tm-multiple-default",
		"message": "Telemetry prod/new has no selector, and neither do [\"mesh-logs\"] in the same namespace: which one applies is undefined",
		"details": {"field": "spec.selector", "namespace": "prod", "conflicting": ["mesh-logs"]},
	}} with input as review({"tracing": [{"randomSamplingPercentage": 1}]})
		with data.meshguard.inventory as inventory
}

test_with_selector_allowed if {
	count(tm_multiple_default.violation) == 0 with input as review({"selector": {"matchLabels": {"app": "api"}}})
		with data.meshguard.inventory as inventory
	count(tm_multiple_default.violation) == 0 with input as review({"targetRefs": [{"kind": "Gateway", "group": "gateway.networking.k8s.io", "name": "gw"}]})
		with data.meshguard.inventory as inventory
}

test_only_one_in_namespace_allowed if {
	count(tm_multiple_default.violation) == 0 with input as review({})
		with data.meshguard.inventory as {"Telemetry": {"prod": {"new": tel("prod", "new", {})}}}
}

test_cache_miss_is_silent if {
	count(tm_multiple_default.violation) == 0 with input as review({})
		with data.meshguard.inventory as {}
}

test_delete_ignored if {
	count(tm_multiple_default.violation) == 0 with input as {"request": {"kind": {"kind": "Telemetry"}, "operation": "DELETE", "namespace": "prod", "object": null}}
		with data.meshguard.inventory as inventory
}
