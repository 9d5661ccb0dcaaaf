package meshguard.rules.vs_subset_exists_test

import data.meshguard.rules.vs_subset_exists

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

delete(spec) := object.union(review(spec), {"request": {"operation": "DELETE"}})

other_kind(spec) := object.union(review(spec), {"request": {"kind": {"kind": "DestinationRule"}}})

dr(ns, name, host, subsets) := {
	"kind": "DestinationRule",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"host": host, "subsets": [{"name": s, "labels": {"version": s}} | some s in subsets]},
}

spec := {"hosts": ["my-app"], "http": [
	{"route": [
		{"destination": {"host": "my-app", "subset": "v1"}, "weight": 80},
		{"destination": {"host": "my-app.prod.svc.cluster.local", "subset": "v2"}, "weight": 20},
	]},
	{"route": [{"destination": {"host": "ratings.other.svc.cluster.local", "subset": "v1"}}], "mirror": {"host": "my-app", "subset": "shadow"}},
	{"route": [{"destination": {"host": "my-app"}}]},
]}

test_missing_subsets_are_denied if {
	vs_subset_exists.violation == {
		{
			"id": "vs-subset-exists",
			"message": "VirtualService prod/my-app routes to subset v2 of host my-app.prod.svc.cluster.local (spec.http[0].route[1].destination), but no DestinationRule for my-app.prod.svc.cluster.local defines it",
			"details": {"field": "spec.http[0].route[1].destination", "host": "my-app.prod.svc.cluster.local", "subset": "v2"},
		},
		{
			"id": "vs-subset-exists",
			"message": "VirtualService prod/my-app routes to subset shadow of host my-app (spec.http[1].mirror), but no DestinationRule for my-app.prod.svc.cluster.local defines it",
			"details": {"field": "spec.http[1].mirror", "host": "my-app", "subset": "shadow"},
		},
		{
			"id": "vs-subset-exists",
			"message": "VirtualService prod/my-app routes to subset v1 of host ratings.other.svc.cluster.local (spec.http[1].route[0].destination), but no DestinationRule for ratings.other.svc.cluster.local defines it",
			"details": {"field": "spec.http[1].route[0].destination", "host": "ratings.other.svc.cluster.local", "subset": "v1"},
		},
	} with input as review(spec)
		with data.meshguard.inventory as {"DestinationRule": {"prod": {"my-app": dr("prod", "my-app", "my-app", ["v1"])}}}
}

test_subsets_found_in_every_allowed_namespace if {
	count(vs_subset_exists.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"DestinationRule": {
			"prod": {"my-app": dr("prod", "my-app", "my-app", ["v1", "v2"])},
			"other": {"ratings": dr("other", "ratings", "ratings", ["v1"])},
			"istio-system": {"shadow": dr("istio-system", "shadow", "*.prod.svc.cluster.local", ["shadow"])},
		}}
}

test_destination_rule_in_unrelated_namespace_does_not_count if {
	count(vs_subset_exists.violation) == 1 with input as review({"hosts": ["my-app"], "http": [{"route": [{"destination": {"host": "my-app", "subset": "v1"}}]}]})
		with data.meshguard.inventory as {"DestinationRule": {"team-b": {"my-app": dr("team-b", "my-app", "my-app.prod.svc.cluster.local", ["v1"])}}}
}

test_tcp_and_tls_destinations_are_checked if {
	count(vs_subset_exists.violation) == 2 with input as review({"hosts": ["db"], "tcp": [{"route": [{"destination": {"host": "db", "subset": "primary"}}]}], "tls": [{"route": [{"destination": {"host": "db", "subset": "tls"}}]}]})
		with data.meshguard.inventory as {"DestinationRule": {}}
}

test_unknown_destination_rules_are_silent if {
	count(vs_subset_exists.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"VirtualService": {}}
}

test_delete_is_ignored if {
	count(vs_subset_exists.violation) == 0 with input as delete(spec)
		with data.meshguard.inventory as {"DestinationRule": {}}
}

test_destination_rules_count_only_where_their_host_is_searched if {
	vs_subset_exists.violation == {
		{
			"id": "vs-subset-exists",
			"message": "VirtualService prod/my-app routes to subset v1 of host ratings.other.svc.cluster.local (spec.http[0].route[0].destination), but no DestinationRule for ratings.other.svc.cluster.local defines it",
			"details": {"field": "spec.http[0].route[0].destination", "host": "ratings.other.svc.cluster.local", "subset": "v1"},
		},
		{
			"id": "vs-subset-exists",
			"message": "VirtualService prod/my-app routes to subset v2 of host my-app (spec.http[1].mirrors[0].destination), but no DestinationRule for my-app.prod.svc.cluster.local defines it",
			"details": {"field": "spec.http[1].mirrors[0].destination", "host": "my-app", "subset": "v2"},
		},
	} with input as review({"hosts": ["my-app"], "http": [
		{"route": [{"destination": {"host": "ratings.other.svc.cluster.local", "subset": "v1"}}, {"destination": {"host": "reviews.other.svc.cluster.local", "subset": "v1"}}]},
		{"route": [{"destination": {"host": "my-app", "subset": "v1"}}], "mirrors": [{"destination": {"host": "my-app", "subset": "v2"}}]},
	]})
		with data.meshguard.inventory as {"DestinationRule": {
			# in the VirtualService's namespace, but for a host of another namespace: it counts
			"prod": {"reviews": dr("prod", "reviews", "reviews.other.svc.cluster.local", ["v1"])},
			# in the host's namespace: a wildcard that covers my-app.prod is not searched there
			"other": {"all": dr("other", "all", "*.prod.svc.cluster.local", ["v2"])},
			# in a namespace neither host is in: it does not count
			"team-b": {"ratings": dr("team-b", "ratings", "ratings.other.svc.cluster.local", ["v1"])},
			"istio-system": {"my-app": dr("istio-system", "my-app", "my-app.prod.svc.cluster.local", ["v1"])},
		}}
}
