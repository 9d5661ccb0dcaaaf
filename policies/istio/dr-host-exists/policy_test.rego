package meshguard.rules.dr_host_exists_test

import data.meshguard.rules.dr_host_exists

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "my-dr", "namespace": "prod"},
		"spec": spec,
	},
}}

inventory := {
	"Service": {"prod": {"reviews": {"kind": "Service", "metadata": {"name": "reviews", "namespace": "prod"}, "spec": {"ports": [{"port": 9080}]}}}},
	"ServiceEntry": {"edge": {"wild": {"kind": "ServiceEntry", "metadata": {"name": "wild", "namespace": "edge"}, "spec": {"hosts": ["*.example.org"], "ports": [{"number": 443}]}}}},
}

test_unknown_host_warns if {
	dr_host_exists.violation == {{
		"id": "dr-host-exists",
		"message": "DestinationRule prod/my-dr host ratings (spec.host) matches no Service or ServiceEntry visible to it (IST0174: the host ratings defined in the DestinationRule does not match any services in the mesh)",
		"details": {"field": "spec.host", "host": "ratings"},
	}} with input as review({"host": "ratings"})
		with data.meshguard.inventory as inventory
}

test_services_and_service_entries_are_hosts if {
	count(dr_host_exists.violation) == 0 with input as review({"host": "reviews"}) with data.meshguard.inventory as inventory
	count(dr_host_exists.violation) == 0 with input as review({"host": "reviews.prod.svc.cluster.local"}) with data.meshguard.inventory as inventory
	count(dr_host_exists.violation) == 0 with input as review({"host": "api.example.org"}) with data.meshguard.inventory as inventory
}

test_unknown_services_are_silent if {
	count(dr_host_exists.violation) == 0 with input as review({"host": "ratings"}) with data.meshguard.inventory as {"ServiceEntry": {}}
}
