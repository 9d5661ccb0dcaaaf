package meshguard.rules.dr_subset_labels_test

import data.meshguard.rules.dr_subset_labels

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "reviews", "namespace": "prod"},
		"spec": spec,
	},
}}

test_missing_and_empty_labels_are_denied if {
	dr_subset_labels.violation == {
		{
			"id": "dr-subset-labels",
			"message": "DestinationRule prod/reviews subset \"v2\" has no labels, so it selects every endpoint of host reviews",
			"details": {"field": "spec.subsets[1].labels", "subset": "v2"},
		},
		{
			"id": "dr-subset-labels",
			"message": "DestinationRule prod/reviews subset \"v3\" has no labels, so it selects every endpoint of host reviews",
			"details": {"field": "spec.subsets[2].labels", "subset": "v3"},
		},
	} with input as review({"host": "reviews", "subsets": [
		{"name": "v1", "labels": {"version": "v1"}},
		{"name": "v2"},
		{"name": "v3", "labels": {}},
	]})
}

test_labelled_subsets_are_allowed if {
	count(dr_subset_labels.violation) == 0 with input as review({"host": "reviews", "subsets": [{"name": "v1", "labels": {"version": "v1"}}]})
}

test_no_subsets_is_allowed if {
	count(dr_subset_labels.violation) == 0 with input as review({"host": "reviews"})
}

test_delete_is_ignored if {
	count(dr_subset_labels.violation) == 0 with input as object.union(review({"host": "reviews", "subsets": [{"name": "v1"}]}), {"request": {"operation": "DELETE"}})
}
