package meshguard.rules.sc_egress_wildcard_test

import data.meshguard.rules.sc_egress_wildcard

review(ns, hosts) := {"request": {
	"kind": {"kind": "Sidecar"},
	"namespace": ns,
	"operation": "CREATE",
	"object": {"kind": "Sidecar", "metadata": {"name": "default", "namespace": ns}, "spec": {"egress": [{"hosts": ["./*"]}, {"hosts": hosts}]}},
}}

expected(ns) := {{
	"id": "sc-egress-wildcard",
	"message": sprintf("Sidecar %s/default imports every host of every namespace (\"*/*\" in egress[1].hosts)", [ns]),
	"details": {"field": "spec.egress[1].hosts", "host": "*/*"},
}}

test_wildcard_warns_by_default if {
	sc_egress_wildcard.violation == expected("prod") with input as review("prod", ["istio-system/*", "*/*"])
}

test_restricted_list_only if {
	config := {"rules": {"sc-egress-wildcard": {"params": {"restrictAll": false, "restrictedNamespaces": ["prod"]}}}}
	sc_egress_wildcard.violation == expected("prod") with input as review("prod", ["*/*"])
		with data.meshguard.config as config
	count(sc_egress_wildcard.violation) == 0 with input as review("dev", ["*/*"])
		with data.meshguard.config as config
}

test_scoped_hosts_allowed if {
	count(sc_egress_wildcard.violation) == 0 with input as review("prod", ["istio-system/*", "*/api.example.com"])
}

test_delete_ignored if {
	count(sc_egress_wildcard.violation) == 0 with input as {"request": {"kind": {"kind": "Sidecar"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
