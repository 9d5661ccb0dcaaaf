package meshguard.rules.se_protocol_conflict_test

import data.meshguard.rules.se_protocol_conflict

se(ns, name, spec) := {"kind": "ServiceEntry", "metadata": {"name": name, "namespace": ns}, "spec": spec}

review(spec) := {"request": {
	"kind": {"kind": "ServiceEntry"},
	"namespace": "default",
	"operation": "CREATE",
	"object": se("default", "se-http", spec),
}}

http_spec := {"hosts": ["example.com"], "ports": [{"number": 13835, "name": "http", "protocol": "HTTP"}]}

inventory := {"ServiceEntry": {
	"default": {"se-https": se("default", "se-https", {"hosts": ["example.com"], "ports": [{"number": 13835, "name": "https", "protocol": "HTTPS"}]})},
	"team-a": {"local": se("team-a", "local", {"hosts": ["other.com"], "exportTo": ["."], "ports": [{"number": 80, "name": "tcp"}]})},
}}

test_conflicting_protocol_warns if {
	se_protocol_conflict.violation == {{
		"id": "se-protocol-conflict",
		"message": "ServiceEntry default/se-http: multiple ServiceEntries (default/se-http, default/se-https) define the same host example.com and port 13835 with conflicting protocols (HTTP, HTTPS)",
		"details": {"field": "spec.ports", "host": "example.com", "port": 13835, "serviceEntries": ["default/se-http", "default/se-https"], "protocols": ["HTTP", "HTTPS"]},
	}} with input as review(http_spec)
		with data.meshguard.inventory as inventory
}

test_same_protocol_any_case_allowed if {
	count(se_protocol_conflict.violation) == 0 with input as review({"hosts": ["example.com"], "ports": [{"number": 13835, "name": "https", "protocol": "https"}]})
		with data.meshguard.inventory as inventory
}

test_disjoint_scopes_allowed_overlapping_denied if {
	count(se_protocol_conflict.violation) == 0 with input as review({"hosts": ["other.com"], "exportTo": ["."], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]})
		with data.meshguard.inventory as inventory
	se_protocol_conflict.violation == {{
		"id": "se-protocol-conflict",
		"message": "ServiceEntry default/se-http: multiple ServiceEntries (default/se-http, team-a/local) define the same host other.com and port 80 with conflicting protocols ((unset), HTTP)",
		"details": {"field": "spec.ports", "host": "other.com", "port": 80, "serviceEntries": ["default/se-http", "team-a/local"], "protocols": ["(unset)", "HTTP"]},
	}} with input as review({"hosts": ["other.com"], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}]})
		with data.meshguard.inventory as inventory
}

test_conflict_within_one_entry_without_inventory if {
	count(se_protocol_conflict.violation) == 1 with input as review({"hosts": ["example.com"], "ports": [{"number": 80, "name": "http", "protocol": "HTTP"}, {"number": 80, "name": "tcp", "protocol": "TCP"}]})
}
