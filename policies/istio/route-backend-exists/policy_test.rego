package meshguard.rules.route_backend_exists_test

import data.meshguard.rules.route_backend_exists

route(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "HTTPRoute"},
	"namespace": "store",
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "store", "namespace": "store"}, "spec": spec},
}}

inventory := {
	"Service": {"store": {"store": {"kind": "Service", "metadata": {"name": "store", "namespace": "store"}, "spec": {"ports": [{"name": "http", "port": 8080}, {"name": "grpc", "port": 9090}]}}}},
	"ServiceEntry": {"store": {"legacy": {"kind": "ServiceEntry", "metadata": {"name": "legacy", "namespace": "store"}, "spec": {"hosts": ["legacy.example.com"], "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}]}}}},
}

rules(backends) := {"rules": [{"backendRefs": backends}]}

test_existing_backends_pass if {
	count(route_backend_exists.violation) == 0 with input as route(rules([
		{"name": "store", "port": 8080},
		{"group": "networking.istio.io", "kind": "ServiceEntry", "name": "legacy", "port": 443},
		{"group": "networking.istio.io", "kind": "Hostname", "name": "anything.example.com", "port": 80},
	]))
		with data.meshguard.inventory as inventory
}

test_missing_backends_and_ports_are_denied if {
	route_backend_exists.violation == {
		{
			"id": "route-backend-exists",
			"message": "HTTPRoute store/store routes to store-v2 (spec.rules[0].backendRefs[0]), but Service store/store-v2 does not exist",
			"details": {"field": "spec.rules[0].backendRefs[0]", "backend": {"kind": "Service", "namespace": "store", "name": "store-v2", "port": 8080}},
		},
		{
			"id": "route-backend-exists",
			"message": "HTTPRoute store/store routes to store (spec.rules[0].backendRefs[1]), but Service store/store has no port 80 (it has 8080, 9090)",
			"details": {"field": "spec.rules[0].backendRefs[1].port", "backend": {"kind": "Service", "namespace": "store", "name": "store", "port": 80}},
		},
		{
			"id": "route-backend-exists",
			"message": "HTTPRoute store/store routes to gone (spec.rules[0].backendRefs[2]), but ServiceEntry store/gone does not exist",
			"details": {"field": "spec.rules[0].backendRefs[2]", "backend": {"kind": "ServiceEntry", "namespace": "store", "name": "gone", "port": 443}},
		},
		{
			"id": "route-backend-exists",
			"message": "HTTPRoute store/store routes to legacy (spec.rules[0].backendRefs[3]), but ServiceEntry store/legacy has no port 80 (it has 443)",
			"details": {"field": "spec.rules[0].backendRefs[3].port", "backend": {"kind": "ServiceEntry", "namespace": "store", "name": "legacy", "port": 80}},
		},
	} with input as route(rules([
		{"name": "store-v2", "port": 8080},
		{"name": "store", "port": 80},
		{"group": "networking.istio.io", "kind": "ServiceEntry", "name": "gone", "port": 443},
		{"group": "networking.istio.io", "kind": "ServiceEntry", "name": "legacy", "port": 80},
	]))
		with data.meshguard.inventory as inventory
}

test_unknown_kinds_and_uncovered_namespaces_are_not_judged if {
	count(route_backend_exists.violation) == 0 with input as route(rules([{"name": "store-v2", "port": 8080}]))
		with data.meshguard.inventory as {}
	count(route_backend_exists.violation) == 0 with input as route(rules([{"name": "payments", "namespace": "elsewhere", "port": 8080}]))
		with data.meshguard.inventory as inventory
}
