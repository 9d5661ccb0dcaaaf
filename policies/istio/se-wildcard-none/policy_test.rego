package meshguard.rules.se_wildcard_none_test

import data.meshguard.rules.se_wildcard_none

review(spec) := {"request": {
	"kind": {"kind": "ServiceEntry"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "ServiceEntry", "metadata": {"name": "se", "namespace": "prod"}, "spec": spec},
}}

test_wildcard_none_denied if {
	se_wildcard_none.violation == {{
		"id": "se-wildcard-none",
		"message": "ServiceEntry prod/se declares the wildcard host \"*.example.com\" with resolution NONE and no addresses: traffic to any IP presenting a matching name passes through",
		"details": {"field": "spec.hosts[1]", "host": "*.example.com", "resolution": "NONE"},
	}} with input as review({"hosts": ["api.example.com", "*.example.com"], "ports": [{"number": 443, "name": "tls", "protocol": "TLS"}], "resolution": "NONE"})
}

test_default_resolution_is_none if {
	count(se_wildcard_none.violation) == 1 with input as review({"hosts": ["*"], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]})
}

test_pinned_addresses_allowed if {
	count(se_wildcard_none.violation) == 0 with input as review({"hosts": ["*.example.com"], "addresses": ["203.0.113.0/24"], "resolution": "NONE"})
}

test_internal_dns_and_exact_hosts_allowed if {
	count(se_wildcard_none.violation) == 0 with input as review({"hosts": ["*.corp.internal"], "location": "MESH_INTERNAL"})
	count(se_wildcard_none.violation) == 0 with input as review({"hosts": ["*.example.com"], "resolution": "DNS", "endpoints": [{"address": "proxy.example.com"}]})
	count(se_wildcard_none.violation) == 0 with input as review({"hosts": ["api.example.com"], "resolution": "NONE"})
}

test_delete_ignored if {
	count(se_wildcard_none.violation) == 0 with input as {"request": {"kind": {"kind": "ServiceEntry"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
