package meshguard.rules.vs_route_weights_test

import data.meshguard.rules.vs_route_weights

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

route(weights) := [r |
	some i, w in weights
	r := object.union({"destination": {"host": "my-app", "subset": sprintf("v%d", [i])}}, weight(w))
]

weight(w) := {} if w == null

weight(w) := {"weight": w} if w != null

test_http_split_not_100_is_denied if {
	vs_route_weights.violation == {{
		"id": "vs-route-weights",
		"message": "VirtualService prod/my-app has route weights 80/30 in spec.http[0].route that sum to 110, not 100",
		"details": {"field": "spec.http[0].route", "weights": [80, 30], "sum": 110},
	}} with input as review({"hosts": ["my-app"], "http": [{"route": route([80, 30])}]})
}

test_missing_weight_counts_as_zero if {
	vs_route_weights.violation == {{
		"id": "vs-route-weights",
		"message": "VirtualService prod/my-app has route weights 90/0 in spec.tcp[1].route that sum to 90, not 100",
		"details": {"field": "spec.tcp[1].route", "weights": [90, 0], "sum": 90},
	}} with input as review({"hosts": ["my-app"], "tcp": [{"route": route([null])}, {"route": route([90, null])}]})
}

test_single_weight_below_100_is_denied if {
	count(vs_route_weights.violation) == 1 with input as review({"hosts": ["my-app"], "tls": [{"route": route([50])}]})
}

test_valid_splits_are_allowed if {
	count(vs_route_weights.violation) == 0 with input as review({"hosts": ["my-app"], "http": [
		{"route": route([80, 20])},
		{"route": route([null])},
		{"route": route([100])},
		{"redirect": {"uri": "/"}},
	]})
}

test_delete_is_ignored if {
	count(vs_route_weights.violation) == 0 with input as delete({"hosts": ["my-app"], "http": [{"route": route([1, 2])}]})
}
