package meshguard.rules.se_addresses_required_test

import data.meshguard.rules.se_addresses_required

review(spec) := {"request": {
	"kind": {"kind": "ServiceEntry"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "ServiceEntry", "metadata": {"name": "db", "namespace": "prod"}, "spec": spec},
}}

spec := {"hosts": ["db.example.com"], "resolution": "DNS", "ports": [
	{"number": 5432, "name": "tcp", "protocol": "TCP"},
	{"number": 9000, "name": "other"},
	{"number": 443, "name": "https", "protocol": "HTTPS"},
]}

test_tcp_and_unset_ports_warn if {
	se_addresses_required.violation == {
		{
			"id": "se-addresses-required",
			"message": "ServiceEntry prod/db has no addresses but port 5432 uses protocol TCP: Istio needs virtual IPs for TCP ports",
			"details": {"field": "spec.ports[0].protocol", "port": 5432, "protocol": "TCP"},
		},
		{
			"id": "se-addresses-required",
			"message": "ServiceEntry prod/db has no addresses but port 9000 uses protocol (unset): Istio needs virtual IPs for TCP ports",
			"details": {"field": "spec.ports[1].protocol", "port": 9000, "protocol": "(unset)"},
		},
	} with input as review(spec)
}

test_addresses_allowed if {
	count(se_addresses_required.violation) == 0 with input as review(object.union(spec, {"addresses": ["240.240.0.1"]}))
}

test_auto_allocate_silences if {
	count(se_addresses_required.violation) == 0 with input as review(spec)
		with data.meshguard.config as {"rules": {"se-addresses-required": {"params": {"autoAllocate": true}}}}
}

test_http_only_allowed if {
	count(se_addresses_required.violation) == 0 with input as review({"hosts": ["a.example.com"], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]})
}

test_delete_ignored if {
	count(se_addresses_required.violation) == 0 with input as {"request": {"kind": {"kind": "ServiceEntry"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}

test_mesh_auto_allocation_silences if {
	count(se_addresses_required.violation) == 0 with input as review(spec)
		with data.meshguard.config as {"mesh": {"dnsAutoAllocate": true}}
	count(se_addresses_required.violation) == 2 with input as review(spec)
		with data.meshguard.config as {"mesh": {"dnsAutoAllocate": false}}
}

test_status_addresses_silence if {
	reviewed := review(spec)
	with_status := object.union(reviewed, {"request": {"object": {"status": {"addresses": [{"value": "240.240.0.1", "host": "db.example.com"}]}}}})
	count(se_addresses_required.violation) == 0 with input as with_status
}
