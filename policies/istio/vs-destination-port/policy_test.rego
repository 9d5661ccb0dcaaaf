package meshguard.rules.vs_destination_port_test

import data.meshguard.rules.vs_destination_port

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

inventory := {
	"Service": {"prod": {
		"multi": {"kind": "Service", "metadata": {"name": "multi", "namespace": "prod"}, "spec": {"ports": [{"name": "http", "port": 80}, {"name": "grpc", "port": 9090}]}},
		"single": {"kind": "Service", "metadata": {"name": "single", "namespace": "prod"}, "spec": {"ports": [{"name": "http", "port": 80}]}},
	}},
	"ServiceEntry": {"prod": {"ext": {"kind": "ServiceEntry", "metadata": {"name": "ext", "namespace": "prod"}, "spec": {"hosts": ["api.example.com"], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}, {"number": 443, "name": "https", "protocol": "TLS"}]}}}},
}

test_multi_port_destinations_without_port_are_denied if {
	vs_destination_port.violation == {
		{
			"id": "vs-destination-port",
			"message": "VirtualService prod/my-app routes to multi (spec.http[0].route[0].destination) without a port, but Service prod/multi exposes ports [80 9090]: set the destination's port.number (IST0112: this VirtualService routes to a service \"multi\" that exposes multiple ports [80 9090])",
			"details": {"field": "spec.http[0].route[0].destination", "host": "multi", "ports": [80, 9090]},
		},
		{
			"id": "vs-destination-port",
			"message": "VirtualService prod/my-app routes to api.example.com (spec.http[0].mirror) without a port, but ServiceEntry prod/ext exposes ports [80 443]: set the destination's port.number (IST0112: this VirtualService routes to a service \"api.example.com\" that exposes multiple ports [80 443])",
			"details": {"field": "spec.http[0].mirror", "host": "api.example.com", "ports": [80, 443]},
		},
	} with input as review({"hosts": ["x"], "http": [{
		"route": [
			{"destination": {"host": "multi"}},
			{"destination": {"host": "multi", "port": {"number": 9090}}},
			{"destination": {"host": "single"}},
			{"destination": {"host": "missing"}},
		],
		"mirror": {"host": "api.example.com"},
	}]})
		with data.meshguard.inventory as inventory
}

test_unknown_services_are_silent if {
	count(vs_destination_port.violation) == 0 with input as review({"hosts": ["x"], "http": [{"route": [{"destination": {"host": "multi"}}]}]})
		with data.meshguard.inventory as {"VirtualService": {}}
}
