package meshguard.rules.dr_subset_pods_test

import data.meshguard.rules.dr_subset_pods

review(host, subsets) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "reviews", "namespace": "prod"},
		"spec": {"host": host, "subsets": [{"name": s, "labels": {"version": s}} | some s in subsets]},
	},
}}

deployment(ns, name, labels) := {"kind": "Deployment", "metadata": {"name": name, "namespace": ns}, "spec": {"template": {"metadata": {"labels": labels}}}}

inventory := {
	"Service": {"prod": {"reviews": {"kind": "Service", "metadata": {"name": "reviews", "namespace": "prod"}, "spec": {"ports": [{"port": 9080}]}}}},
	"ServiceEntry": {"prod": {"vm": {"kind": "ServiceEntry", "metadata": {"name": "vm", "namespace": "prod"}, "spec": {"hosts": ["vm.example.com"], "ports": [{"number": 80}], "workloadSelector": {"labels": {"app": "vm"}}}}}},
	"Deployment": {"prod": {
		"reviews-v1": deployment("prod", "reviews-v1", {"app": "reviews", "version": "v1"}),
		"reviews-v2": deployment("prod", "reviews-v2", {"app": "reviews", "version": "v2"}),
	}},
}

test_subsets_selecting_nothing_are_denied if {
	dr_subset_pods.violation == {{
		"id": "dr-subset-pods",
		"message": "DestinationRule prod/reviews subset v3 (spec.subsets[2]) selects no workload: nothing has the labels {\"version\":\"v3\"} (IST0173)",
		"details": {"field": "spec.subsets[2]", "subset": "v3", "labels": {"version": "v3"}},
	}} with input as review("reviews", ["v1", "v2", "v3"])
		with data.meshguard.inventory as inventory
}

test_service_entry_workload_selector_is_merged if {
	dr_subset_pods.violation == {{
		"id": "dr-subset-pods",
		"message": "DestinationRule prod/reviews subset v1 (spec.subsets[0]) selects no workload: nothing has the labels {\"app\":\"vm\",\"version\":\"v1\"} (IST0173)",
		"details": {"field": "spec.subsets[0]", "subset": "v1", "labels": {"app": "vm", "version": "v1"}},
	}} with input as review("vm.example.com", ["v1"])
		with data.meshguard.inventory as inventory
}

test_unknown_host_or_workloads_are_silent if {
	count(dr_subset_pods.violation) == 0 with input as review("ratings", ["v9"]) with data.meshguard.inventory as inventory
	count(dr_subset_pods.violation) == 0 with input as review("reviews", ["v9"]) with data.meshguard.inventory as {"Service": inventory.Service}
	count(dr_subset_pods.violation) == 0 with input as review("reviews", ["v9"]) with data.meshguard.inventory as {"Deployment": inventory.Deployment}
}

test_only_a_covered_host_namespace_is_judged if {
	ratings := {"kind": "Service", "metadata": {"name": "ratings", "namespace": "other"}, "spec": {"ports": [{"port": 9080}]}}
	with_ratings := object.union(inventory, {"Service": {"other": {"ratings": ratings}}})

	# No workload of namespace other and no Namespace other were given: silent.
	count(dr_subset_pods.violation) == 0 with input as review("ratings.other.svc.cluster.local", ["v9"])
		with data.meshguard.inventory as with_ratings

	# The Namespace is known (always so in a cluster): reported.
	{v.details.subset | some v in dr_subset_pods.violation} == {"v9"} with input as review("ratings.other.svc.cluster.local", ["v9"])
		with data.meshguard.inventory as object.union(with_ratings, {"Namespace": {"": {"other": {"kind": "Namespace", "metadata": {"name": "other"}}}}})
}
