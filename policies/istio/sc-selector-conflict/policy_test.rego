package meshguard.rules.sc_selector_conflict_test

import data.meshguard.rules.sc_selector_conflict

review(labels) := {"request": {
	"kind": {"kind": "Sidecar"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "Sidecar", "metadata": {"name": "new", "namespace": "prod"}, "spec": {"workloadSelector": {"labels": labels}}},
}}

sc(name, labels) := {"kind": "Sidecar", "metadata": {"name": name, "namespace": "prod"}, "spec": {"workloadSelector": {"labels": labels}}}

inventory := {
	"Sidecar": {"prod": {
		"web-v1": sc("web-v1", {"app": "web", "version": "v1"}),
		"api": sc("api", {"app": "api"}),
		"default": {"kind": "Sidecar", "metadata": {"name": "default", "namespace": "prod"}, "spec": {}},
	}},
	"Deployment": {"prod": {
		"web-v1": {"kind": "Deployment", "metadata": {"name": "web-v1", "namespace": "prod"}, "spec": {"template": {"metadata": {"labels": {"app": "web", "version": "v1"}}}}},
		"web-v2": {"kind": "Deployment", "metadata": {"name": "web-v2", "namespace": "prod"}, "spec": {"template": {"metadata": {"labels": {"app": "web", "version": "v2"}}}}},
	}},
	"Pod": {"prod": {"web-x": {"kind": "Pod", "metadata": {"name": "web-x", "namespace": "prod", "labels": {"app": "web", "version": "v1"}}}}},
}

test_overlap_denied if {
	sc_selector_conflict.violation == {{
		"id": "sc-selector-conflict",
		"message": "Sidecar prod/new and Sidecar prod/web-v1 both select [\"Deployment/web-v1\",\"Pod/web-x\"]: which one applies is undefined",
		"details": {"field": "spec.workloadSelector.labels", "conflictingSidecar": "web-v1", "workloads": ["Deployment/web-v1", "Pod/web-x"]},
	}} with input as review({"app": "web"})
		with data.meshguard.inventory as inventory
}

test_disjoint_allowed if {
	count(sc_selector_conflict.violation) == 0 with input as review({"app": "web", "version": "v2"})
		with data.meshguard.inventory as inventory
}

test_selectors_overlap_without_workload_allowed if {
	count(sc_selector_conflict.violation) == 0 with input as review({"app": "api"})
		with data.meshguard.inventory as inventory
}

test_cache_miss_is_silent if {
	count(sc_selector_conflict.violation) == 0 with input as review({"app": "web"})
		with data.meshguard.inventory as {"Sidecar": inventory.Sidecar}
	count(sc_selector_conflict.violation) == 0 with input as review({"app": "web"})
		with data.meshguard.inventory as {"Deployment": inventory.Deployment}
}

test_delete_ignored if {
	count(sc_selector_conflict.violation) == 0 with input as {"request": {"kind": {"kind": "Sidecar"}, "operation": "DELETE", "namespace": "prod", "object": null}}
		with data.meshguard.inventory as inventory
}
