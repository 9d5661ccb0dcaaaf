package meshguard.rules.dr_connection_pool_bounds_test

import data.meshguard.rules.dr_connection_pool_bounds

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "my-app", "namespace": "prod"},
		"spec": spec,
	},
}}

test_every_bound_is_checked if {
	dr_connection_pool_bounds.violation == {
		{
			"id": "dr-connection-pool-bounds",
			"message": "DestinationRule prod/my-app sets spec.trafficPolicy.connectionPool.tcp.maxConnections 50000, above the org limit of 10000",
			"details": {"field": "spec.trafficPolicy.connectionPool.tcp.maxConnections", "value": 50000, "max": 10000},
		},
		{
			"id": "dr-connection-pool-bounds",
			"message": "DestinationRule prod/my-app sets spec.trafficPolicy.connectionPool.http.http2MaxRequests 20000, above the org limit of 10000",
			"details": {"field": "spec.trafficPolicy.connectionPool.http.http2MaxRequests", "value": 20000, "max": 10000},
		},
		{
			"id": "dr-connection-pool-bounds",
			"message": "DestinationRule prod/my-app sets spec.trafficPolicy.connectionPool.tcp.connectTimeout 2m, outside the org bounds 10ms to 30s",
			"details": {"field": "spec.trafficPolicy.connectionPool.tcp.connectTimeout", "value": "2m", "min": "10ms", "max": "30s"},
		},
		{
			"id": "dr-connection-pool-bounds",
			"message": "DestinationRule prod/my-app sets spec.subsets[0].trafficPolicy.portLevelSettings[0].connectionPool.http.http1MaxPendingRequests 100000, above the org limit of 10000",
			"details": {"field": "spec.subsets[0].trafficPolicy.portLevelSettings[0].connectionPool.http.http1MaxPendingRequests", "value": 100000, "max": 10000},
		},
		{
			"id": "dr-connection-pool-bounds",
			"message": "DestinationRule prod/my-app sets spec.subsets[0].trafficPolicy.portLevelSettings[0].connectionPool.tcp.connectTimeout 1ms, outside the org bounds 10ms to 30s",
			"details": {"field": "spec.subsets[0].trafficPolicy.portLevelSettings[0].connectionPool.tcp.connectTimeout", "value": "1ms", "min": "10ms", "max": "30s"},
		},
	} with input as review({
		"host": "my-app",
		"trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 50000, "connectTimeout": "2m"}, "http": {"http2MaxRequests": 20000}}},
		"subsets": [{"name": "v1", "labels": {"version": "v1"}, "trafficPolicy": {"portLevelSettings": [{"port": {"number": 80}, "connectionPool": {"tcp": {"connectTimeout": "1ms"}, "http": {"http1MaxPendingRequests": 100000}}}]}}],
	})
}

test_values_within_bounds_are_allowed if {
	count(dr_connection_pool_bounds.violation) == 0 with input as review({"host": "my-app", "trafficPolicy": {"connectionPool": {
		"tcp": {"maxConnections": 1000, "connectTimeout": "10s"},
		"http": {"http2MaxRequests": 1000, "http1MaxPendingRequests": 1024},
	}}})
}

test_params_change_the_bounds if {
	dr_connection_pool_bounds.violation == {{
		"id": "dr-connection-pool-bounds",
		"message": "DestinationRule prod/my-app sets spec.trafficPolicy.connectionPool.tcp.maxConnections 1000, above the org limit of 500",
		"details": {"field": "spec.trafficPolicy.connectionPool.tcp.maxConnections", "value": 1000, "max": 500},
	}} with input as review({"host": "my-app", "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 1000, "connectTimeout": "45s"}}}})
		with data.meshguard.config as {"rules": {"dr-connection-pool-bounds": {"params": {"maxTcpConnections": 500, "maxConnectTimeout": "1m"}}}}
}

test_unparseable_timeout_is_left_to_the_schema if {
	count(dr_connection_pool_bounds.violation) == 0 with input as review({"host": "my-app", "trafficPolicy": {"connectionPool": {"tcp": {"connectTimeout": "soon"}}}})
}

test_delete_is_ignored if {
	count(dr_connection_pool_bounds.violation) == 0 with input as object.union(review({"host": "a", "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 99999}}}}), {"request": {"operation": "DELETE"}})
}
