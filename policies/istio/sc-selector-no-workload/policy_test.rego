package meshguard.rules.sc_selector_no_workload_test

import data.meshguard.rules.sc_selector_no_workload

review(ns, labels) := {"request": {
	"kind": {"kind": "Sidecar"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": "Sidecar", "metadata": {"name": "sc", "namespace": ns}, "spec": {"workloadSelector": {"labels": labels}}},
}}

deployment(ns, name, labels) := {"kind": "Deployment", "metadata": {"name": name, "namespace": ns}, "spec": {"template": {"metadata": {"labels": labels}}}}

inventory := {
	"Deployment": {"prod": {"web": deployment("prod", "web", {"app": "web", "version": "v1"})}, "data": {"db": deployment("data", "db", {"app": "db"})}},
	"Pod": {"prod": {"job": {"kind": "Pod", "metadata": {"name": "job", "namespace": "prod", "labels": {"app": "job"}}}}},
}

test_no_matching_workload_denied if {
	sc_selector_no_workload.violation == {{
		"id": "sc-selector-no-workload",
		"message": "Sidecar prod/sc: referenced selector not found: app=wbe,version=v1 (no workload in namespace prod has these labels)",
		"details": {"field": "spec.workloadSelector.labels", "labels": {"app": "wbe", "version": "v1"}},
	}} with input as review("prod", {"version": "v1", "app": "wbe"})
		with data.meshguard.inventory as inventory
}

test_other_namespace_does_not_count if {
	count(sc_selector_no_workload.violation) == 1 with input as review("prod", {"app": "db"})
		with data.meshguard.inventory as inventory
}

test_matching_deployment_or_pod_allowed if {
	count(sc_selector_no_workload.violation) == 0 with input as review("prod", {"app": "web"})
		with data.meshguard.inventory as inventory
	count(sc_selector_no_workload.violation) == 0 with input as review("prod", {"app": "job"})
		with data.meshguard.inventory as inventory
}

test_silent_without_selector_workloads_or_inventory if {
	count(sc_selector_no_workload.violation) == 0 with input as review("prod", {})
		with data.meshguard.inventory as inventory
	count(sc_selector_no_workload.violation) == 0 with input as review("new", {"app": "x"})
		with data.meshguard.inventory as inventory
	count(sc_selector_no_workload.violation) == 0 with input as review("prod", {"app": "x"})
		with data.meshguard.inventory as {"Service": {}}
}
