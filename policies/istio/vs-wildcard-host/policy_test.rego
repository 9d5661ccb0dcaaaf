package meshguard.rules.vs_wildcard_host_test

import data.meshguard.rules.vs_wildcard_host

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

test_wildcard_is_denied if {
	vs_wildcard_host.violation == {{
		"id": "vs-wildcard-host",
		"message": "VirtualService prod/my-app claims host \"*\" (spec.hosts[1]), which captures every host on edge/public; name the hosts it serves",
		"details": {"field": "spec.hosts[1]", "host": "*", "gateways": ["edge/public"]},
	}} with input as review({"hosts": ["my-app.example.com", "*"], "gateways": ["edge/public"]})
}

test_mesh_wildcard_is_denied if {
	count(vs_wildcard_host.violation) == 1 with input as review({"hosts": ["*"]})
}

test_domain_wildcard_is_allowed if {
	count(vs_wildcard_host.violation) == 0 with input as review({"hosts": ["*.example.com"], "gateways": ["edge/public"]})
}

test_param_allows_wildcards if {
	count(vs_wildcard_host.violation) == 0 with input as review({"hosts": ["*"]})
		with data.meshguard.config as {"rules": {"vs-wildcard-host": {"params": {"allowWildcardHosts": true}}}}
}

test_delete_and_other_kinds_are_ignored if {
	count(vs_wildcard_host.violation) == 0 with input as delete({"hosts": ["*"]})
	count(vs_wildcard_host.violation) == 0 with input as other_kind({"hosts": ["*"]})
}
