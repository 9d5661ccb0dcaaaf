package meshguard.rules.se_host_allowlist_test

import data.meshguard.rules.se_host_allowlist

review(spec) := {"request": {
	"kind": {"kind": "ServiceEntry"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "ServiceEntry", "metadata": {"name": "se", "namespace": "prod"}, "spec": spec},
}}

config(list) := {"rules": {"se-host-allowlist": {"params": {"allowedHosts": list}}}}

test_unlisted_host_denied if {
	se_host_allowlist.violation == {{
		"id": "se-host-allowlist",
		"message": "ServiceEntry prod/se declares the external host \"evil.example.net\", which matches none of the allowed hosts [\"*.example.com\",\"**.googleapis.com\"]",
		"details": {"field": "spec.hosts[2]", "host": "evil.example.net", "allowed": ["*.example.com", "**.googleapis.com"]},
	}} with input as review({"hosts": ["api.example.com", "a.b.googleapis.com", "evil.example.net"], "resolution": "DNS"})
		with data.meshguard.config as config(["*.example.com", "**.googleapis.com"])
}

test_single_label_glob if {
	count(se_host_allowlist.violation) == 1 with input as review({"hosts": ["a.b.example.com"]})
		with data.meshguard.config as config(["*.example.com"])
}

test_empty_list_accepts_any_external_host if {
	count(se_host_allowlist.violation) == 0 with input as review({"hosts": ["anything.example.org"], "resolution": "DNS"})
}

test_internal_entries_not_checked_against_list if {
	count(se_host_allowlist.violation) == 0 with input as review({"hosts": ["db.corp"], "location": "MESH_INTERNAL"})
		with data.meshguard.config as config(["*.example.com"])
}

test_cluster_local_host_as_external_denied if {
	se_host_allowlist.violation == {{
		"id": "se-host-allowlist",
		"message": "ServiceEntry prod/se declares the cluster-local host \"payments.billing.svc.cluster.local\" as MESH_EXTERNAL; in-mesh services must use location MESH_INTERNAL",
		"details": {"field": "spec.hosts[0]", "host": "payments.billing.svc.cluster.local", "location": "MESH_EXTERNAL"},
	}} with input as review({"hosts": ["payments.billing.svc.cluster.local"], "resolution": "STATIC", "endpoints": [{"address": "10.0.0.1"}]})
	count(se_host_allowlist.violation) == 0 with input as review({"hosts": ["payments.billing.svc.cluster.local"], "location": "MESH_INTERNAL"})
}

test_delete_ignored if {
	count(se_host_allowlist.violation) == 0 with input as {"request": {"kind": {"kind": "ServiceEntry"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
