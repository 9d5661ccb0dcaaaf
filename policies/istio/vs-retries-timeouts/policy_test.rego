package meshguard.rules.vs_retries_timeouts_test

import data.meshguard.rules.vs_retries_timeouts

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

test_out_of_bounds_values_warn if {
	vs_retries_timeouts.violation == {
		{
			"id": "vs-retries-timeouts",
			"message": "VirtualService prod/my-app retries 10 times (spec.http[0].retries.attempts), above the org limit of 5",
			"details": {"field": "spec.http[0].retries.attempts", "value": 10, "max": 5},
		},
		{
			"id": "vs-retries-timeouts",
			"message": "VirtualService prod/my-app sets spec.http[0].retries.perTryTimeout 45s, above the org limit of 30s",
			"details": {"field": "spec.http[0].retries.perTryTimeout", "value": "45s", "max": "30s"},
		},
		{
			"id": "vs-retries-timeouts",
			"message": "VirtualService prod/my-app sets spec.http[1].timeout 5m, above the org limit of 60s",
			"details": {"field": "spec.http[1].timeout", "value": "5m", "max": "60s"},
		},
	} with input as review({"hosts": ["my-app"], "http": [
		{"retries": {"attempts": 10, "perTryTimeout": "45s"}, "route": [{"destination": {"host": "my-app"}}]},
		{"timeout": "5m", "route": [{"destination": {"host": "my-app"}}]},
	]})
}

test_values_within_bounds_are_allowed if {
	count(vs_retries_timeouts.violation) == 0 with input as review({"hosts": ["my-app"], "http": [{"timeout": "10s", "retries": {"attempts": 3, "perTryTimeout": "2s"}, "route": [{"destination": {"host": "my-app"}}]}]})
}

test_params_change_the_bounds if {
	count(vs_retries_timeouts.violation) == 0 with input as review({"hosts": ["my-app"], "http": [{"timeout": "5m", "retries": {"attempts": 8}}]})
		with data.meshguard.config as {"rules": {"vs-retries-timeouts": {"params": {"maxTimeout": "10m", "maxRetryAttempts": 10}}}}
}

test_delete_is_ignored if {
	count(vs_retries_timeouts.violation) == 0 with input as delete({"http": [{"timeout": "1h"}]})
}
