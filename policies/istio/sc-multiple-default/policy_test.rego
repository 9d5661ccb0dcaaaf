package meshguard.rules.sc_multiple_default_test

import data.meshguard.rules.sc_multiple_default

review(spec) := {"request": {
	"kind": {"kind": "Sidecar"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Sidecar", "metadata": {"name": "new", "namespace": "prod"}, "spec": spec},
}}

sc(ns, name, spec) := {"kind": "Sidecar", "metadata": {"name": name, "namespace": ns}, "spec": spec}

inventory := {"Sidecar": {
	"prod": {
		"default": sc("prod", "default", {"egress": [{"hosts": ["./*"]}]}),
		"b": sc("prod", "b", {"egress": [{"hosts": ["./*"]}]}),
		"web": sc("prod", "web", {"workloadSelector": {"labels": {"app": "web"}}}),
	},
	"dev": {"x": sc("dev", "x", {})},
}}

test_second_default_denied if {
	sc_multiple_default.violation == {{
		"id": "sc-multiple-default",
		"message": "Sidecar prod/new has no workloadSelector, and neither do [\"b\",\"default\"] in the same namespace: which one applies is undefined",
		"details": {"field": "spec.workloadSelector", "namespace": "prod", "conflicting": ["b", "default"]},
	}} with input as review({"egress": [{"hosts": ["istio-system/*"]}]})
		with data.meshguard.inventory as inventory
}

test_with_selector_allowed if {
	count(sc_multiple_default.violation) == 0 with input as review({"workloadSelector": {"labels": {"app": "api"}}})
		with data.meshguard.inventory as inventory
}

test_update_of_the_only_default_allowed if {
	count(sc_multiple_default.violation) == 0 with input as review({})
		with data.meshguard.inventory as {"Sidecar": {"prod": {"new": sc("prod", "new", {})}}}
}

test_cache_miss_is_silent if {
	count(sc_multiple_default.violation) == 0 with input as review({})
		with data.meshguard.inventory as {}
}

test_delete_ignored if {
	count(sc_multiple_default.violation) == 0 with input as {"request": {"kind": {"kind": "Sidecar"}, "operation": "DELETE", "namespace": "prod", "object": null}}
		with data.meshguard.inventory as inventory
}
