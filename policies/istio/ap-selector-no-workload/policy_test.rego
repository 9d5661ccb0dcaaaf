package meshguard.rules.ap_selector_no_workload_test

import data.meshguard.rules.ap_selector_no_workload

review(ns, labels) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ap", "namespace": ns}, "spec": {"selector": {"matchLabels": labels}}},
}}

deployment(ns, name, labels) := {"kind": "Deployment", "metadata": {"name": name, "namespace": ns}, "spec": {"template": {"metadata": {"labels": labels}}}}

inventory := {
	"Deployment": {"prod": {"web": deployment("prod", "web", {"app": "web", "version": "v1"})}},
	"StatefulSet": {"data": {"db": {"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "data"}, "spec": {"template": {"metadata": {"labels": {"app": "db"}}}}}}},
}

test_no_matching_workload_warns if {
	ap_selector_no_workload.violation == {{
		"id": "ap-selector-no-workload",
		"message": "AuthorizationPolicy prod/ap selects no workload: nothing in namespace prod has the labels {\"app\":\"wbe\"}",
		"details": {"field": "spec.selector.matchLabels", "matchLabels": {"app": "wbe"}, "scope": "namespace prod"},
	}} with input as review("prod", {"app": "wbe"})
		with data.meshguard.inventory as inventory
}

test_workload_in_other_namespace_does_not_count if {
	count(ap_selector_no_workload.violation) == 1 with input as review("prod", {"app": "db"})
		with data.meshguard.inventory as inventory
}

test_matching_workload_allowed if {
	count(ap_selector_no_workload.violation) == 0 with input as review("prod", {"app": "web"})
		with data.meshguard.inventory as inventory
}

test_root_namespace_matches_every_namespace if {
	count(ap_selector_no_workload.violation) == 0 with input as review("istio-system", {"app": "db"})
		with data.meshguard.inventory as inventory
	ap_selector_no_workload.violation == {{
		"id": "ap-selector-no-workload",
		"message": "AuthorizationPolicy istio-system/ap selects no workload: nothing in every namespace (root namespace policy) has the labels {\"app\":\"none\"}",
		"details": {"field": "spec.selector.matchLabels", "matchLabels": {"app": "none"}, "scope": "every namespace (root namespace policy)"},
	}} with input as review("istio-system", {"app": "none"})
		with data.meshguard.inventory as inventory
}

test_cache_miss_is_silent if {
	count(ap_selector_no_workload.violation) == 0 with input as review("prod", {"app": "wbe"})
		with data.meshguard.inventory as {}
	count(ap_selector_no_workload.violation) == 0 with input as review("prod", {"app": "wbe"})
		with data.meshguard.inventory as {"Service": {}}
}

test_no_selector_ignored if {
	count(ap_selector_no_workload.violation) == 0 with input as review("prod", {})
		with data.meshguard.inventory as inventory
}

test_delete_ignored if {
	count(ap_selector_no_workload.violation) == 0 with input as {"request": {"kind": {"kind": "AuthorizationPolicy"}, "operation": "DELETE", "namespace": "prod", "object": null}}
		with data.meshguard.inventory as inventory
}

test_namespace_without_workloads_is_silent if {
	count(ap_selector_no_workload.violation) == 0 with input as review("empty", {"app": "web"})
		with data.meshguard.inventory as inventory
}
