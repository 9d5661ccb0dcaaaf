package meshguard.rules.amb_pa_disable_test

import data.meshguard.rules.amb_pa_disable

review(spec) := {"request": {
	"kind": {"kind": "PeerAuthentication"},
	"namespace": "shop",
	"operation": "CREATE",
	"object": {"kind": "PeerAuthentication", "metadata": {"name": "pa", "namespace": "shop"}, "spec": spec},
}}

inventory(labels) := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": labels}}}}}

test_disable_warned if {
	spec := {"selector": {"matchLabels": {"app": "db"}}, "mtls": {"mode": "DISABLE"}, "portLevelMtls": {"5432": {"mode": "DISABLE"}, "8080": {"mode": "STRICT"}}}
	amb_pa_disable.violation == {
		{
			"id": "amb-pa-disable",
			"message": "PeerAuthentication shop/pa sets mtls.mode to DISABLE in ambient namespace shop; ztunnel ignores DISABLE and always uses mutual TLS between mesh workloads, so it acts as PERMISSIVE",
			"details": {"field": "spec.mtls.mode"},
		},
		{
			"id": "amb-pa-disable",
			"message": "PeerAuthentication shop/pa sets portLevelMtls[5432].mode to DISABLE in ambient namespace shop; ztunnel ignores DISABLE and always uses mutual TLS between mesh workloads, so it acts as PERMISSIVE",
			"details": {"field": "spec.portLevelMtls[5432].mode"},
		},
	} with input as review(spec) with data.meshguard.inventory as inventory({"istio.io/dataplane-mode": "ambient"})
}

test_other_modes_and_namespaces_allowed if {
	count(amb_pa_disable.violation) == 0 with input as review({"mtls": {"mode": "PERMISSIVE"}}) with data.meshguard.inventory as inventory({"istio.io/dataplane-mode": "ambient"})
	count(amb_pa_disable.violation) == 0 with input as review({"mtls": {"mode": "DISABLE"}}) with data.meshguard.inventory as inventory({"istio-injection": "enabled"})
}
