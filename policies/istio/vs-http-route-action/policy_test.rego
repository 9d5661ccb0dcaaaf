package meshguard.rules.vs_http_route_action_test

import data.meshguard.rules.vs_http_route_action

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

test_rule_without_action_is_denied if {
	vs_http_route_action.violation == {
		{
			"id": "vs-http-route-action",
			"message": "VirtualService prod/my-app spec.http[1] has no route, redirect, directResponse or delegate, so the requests it matches are not served",
			"details": {"field": "spec.http[1]"},
		},
		{
			"id": "vs-http-route-action",
			"message": "VirtualService prod/my-app spec.http[2] has no route, redirect, directResponse or delegate, so the requests it matches are not served",
			"details": {"field": "spec.http[2]"},
		},
	} with input as review({"hosts": ["my-app"], "http": [
		{"route": [{"destination": {"host": "my-app"}}]},
		{"match": [{"uri": {"prefix": "/admin"}}], "fault": {"abort": {"httpStatus": 403}}},
		{"route": []},
	]})
}

test_every_action_is_accepted if {
	count(vs_http_route_action.violation) == 0 with input as review({"hosts": ["my-app"], "http": [
		{"redirect": {"uri": "/v2"}},
		{"directResponse": {"status": 404}},
		{"delegate": {"name": "child", "namespace": "prod"}},
		{"route": [{"destination": {"host": "my-app"}}]},
	]})
}

test_delete_is_ignored if {
	count(vs_http_route_action.violation) == 0 with input as delete({"http": [{}]})
}
