package meshguard.rules.dr_subset_in_use_test

import data.meshguard.rules.dr_subset_in_use

dr(ns, name, host, subsets) := {
	"apiVersion": "networking.istio.io/v1",
	"kind": "DestinationRule",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"host": host, "subsets": [{"name": s, "labels": {"version": s}} | some s in subsets]},
}

vs(ns, name, destinations) := {
	"apiVersion": "networking.istio.io/v1",
	"kind": "VirtualService",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"hosts": ["reviews"], "http": [{"route": [{"destination": d} | some d in destinations]}]},
}

request(operation, old, new) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": old.metadata.namespace,
	"name": old.metadata.name,
	"operation": operation,
	"object": new,
	"oldObject": old,
}}

stored := dr("prod", "reviews", "reviews", ["v1", "v2"])

inventory := {
	"DestinationRule": {"prod": {"reviews": stored}},
	"VirtualService": {"prod": {
		"reviews": vs("prod", "reviews", [{"host": "reviews", "subset": "v1"}, {"host": "reviews.prod.svc.cluster.local", "subset": "v2"}]),
		"plain": vs("prod", "plain", [{"host": "reviews"}]),
	}},
}

test_delete_with_routed_subsets_is_refused if {
	dr_subset_in_use.violation == {
		{
			"id": "dr-subset-in-use",
			"message": "DestinationRule prod/reviews is deleted, but subset v1 of host reviews.prod.svc.cluster.local is still referenced by VirtualService prod/reviews (spec.http[0].route[0].destination)",
			"details": {
				"changedField": "spec.subsets[0]", "host": "reviews.prod.svc.cluster.local", "subset": "v1", "referrerCount": 1,
				"referrers": [{"kind": "VirtualService", "namespace": "prod", "name": "reviews", "field": "spec.http[0].route[0].destination"}],
			},
		},
		{
			"id": "dr-subset-in-use",
			"message": "DestinationRule prod/reviews is deleted, but subset v2 of host reviews.prod.svc.cluster.local is still referenced by VirtualService prod/reviews (spec.http[0].route[1].destination)",
			"details": {
				"changedField": "spec.subsets[1]", "host": "reviews.prod.svc.cluster.local", "subset": "v2", "referrerCount": 1,
				"referrers": [{"kind": "VirtualService", "namespace": "prod", "name": "reviews", "field": "spec.http[0].route[1].destination"}],
			},
		},
	} with input as request("DELETE", stored, null) with data.meshguard.inventory as inventory
}

test_update_removing_a_routed_subset_is_refused if {
	dr_subset_in_use.violation == {{
		"id": "dr-subset-in-use",
		"message": "DestinationRule prod/reviews no longer defines subset v2, but subset v2 of host reviews.prod.svc.cluster.local is still referenced by VirtualService prod/reviews (spec.http[0].route[1].destination)",
		"details": {
			"changedField": "spec.subsets[1]", "host": "reviews.prod.svc.cluster.local", "subset": "v2", "referrerCount": 1,
			"referrers": [{"kind": "VirtualService", "namespace": "prod", "name": "reviews", "field": "spec.http[0].route[1].destination"}],
		},
	}} with input as request("UPDATE", stored, dr("prod", "reviews", "reviews", ["v1", "v3"]))
		with data.meshguard.inventory as inventory
}

test_update_keeping_the_subsets_is_allowed if {
	count(dr_subset_in_use.violation) == 0 with input as request("UPDATE", stored, dr("prod", "reviews", "reviews.prod.svc.cluster.local", ["v2", "v1"]))
		with data.meshguard.inventory as inventory
}

test_subset_defined_by_another_usable_destination_rule_is_not_dangling if {
	count(dr_subset_in_use.violation) == 0 with input as request("DELETE", stored, null)
		with data.meshguard.inventory as object.union(inventory, {"DestinationRule": {"istio-system": {"all": dr("istio-system", "all", "*.prod.svc.cluster.local", ["v1", "v2"])}}})
}

test_destination_rule_in_an_unrelated_namespace_does_not_count if {
	count(dr_subset_in_use.violation) == 2 with input as request("DELETE", stored, null)
		with data.meshguard.inventory as object.union(inventory, {"DestinationRule": {"team-b": {"r": dr("team-b", "r", "reviews.prod.svc.cluster.local", ["v1", "v2"])}}})
}

test_many_referrers_are_capped if {
	many := {sprintf("r%d", [i]): vs("prod", sprintf("r%d", [i]), [{"host": "reviews", "subset": "v1"}]) | some i in numbers.range(1, 7)}
	some v in dr_subset_in_use.violation with input as request("DELETE", dr("prod", "reviews", "reviews", ["v1"]), null)
		with data.meshguard.inventory as {"VirtualService": {"prod": many}}
	v.message == "DestinationRule prod/reviews is deleted, but subset v1 of host reviews.prod.svc.cluster.local is still referenced by VirtualService prod/r1 (spec.http[0].route[0].destination), VirtualService prod/r2 (spec.http[0].route[0].destination), VirtualService prod/r3 (spec.http[0].route[0].destination), VirtualService prod/r4 (spec.http[0].route[0].destination), VirtualService prod/r5 (spec.http[0].route[0].destination) and 2 more"
	v.details.referrerCount == 7
	count(v.details.referrers) == 5
}

test_create_and_unknown_virtual_services_are_silent if {
	count(dr_subset_in_use.violation) == 0 with input as object.union(request("DELETE", stored, null), {"request": {"operation": "CREATE", "object": stored, "oldObject": null}}) with data.meshguard.inventory as inventory
	count(dr_subset_in_use.violation) == 0 with input as request("DELETE", stored, null) with data.meshguard.inventory as {"DestinationRule": {}}
}
