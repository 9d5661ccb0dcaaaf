# METADATA
# title: VirtualService hosts must be declared by its gateways
# description: |
#   A gateway only serves the hosts its servers declare, so a VirtualService host the gateway does
#   not declare is dead configuration (istioctl IST0132 VirtualServiceHostNotFoundInGateway).
#   Gateway hosts are read as Istio does: `ns/host` only counts for VirtualServices in ns, `./host`
#   for the Gateway's namespace, `*/host` and a bare host for all; wildcards match both ways.
#   Kubernetes Gateways (gateway.networking.k8s.io) declare their listeners' hostnames, and a
#   listener without one declares every host. As istioctl (virtualservice.GatewayAnalyzer), each
#   bound gateway that declares none of the VirtualService's hosts is reported once; a host one
#   gateway does not declare is fine as long as another host matches. Internal generated Gateways
#   are vs-gateway-internal's finding. Inventory: needs Gateway; gateways missing from the
#   inventory are skipped (the rule vs-gateway-exists reports them); when Gateway is not known the
#   rule stays silent.
# custom:
#   id: vs-gateway-host-declared
#   severity: medium
#   enforcement: warn
#   fix: 'Add the host to a server of the gateway (or a listener hostname of the Kubernetes Gateway), or correct spec.hosts.'
#   why: 'dead configuration; nothing that worked breaks'
#   kinds: [VirtualService]
#   istioCode: IST0132
package meshguard.rules.vs_gateway_host_declared

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing

hosts := object.get(lib.obj.spec, "hosts", [])

# gateway_hosts(key) is the hosts Istio Gateway key declares for VirtualServices of this namespace.
gateway_hosts(key) := [sh.host |
	some server in object.get(object.get(routing.istio_gateway(key), "spec", {}), "servers", [])
	some entry in object.get(server, "hosts", [])
	sh := networking.server_host(entry, key.namespace)
	sh.namespace in {"*", lib.namespace}
]

declares_one(key) if {
	some gh in gateway_hosts(key)
	some host in hosts
	networking.host_matches(gh, host)
}

declares_one(key) if {
	some listener in object.get(object.get(routing.kubernetes_gateway(key), "spec", {}), "listeners", [])
	object.get(listener, "hostname", "") == ""
}

declares_one(key) if {
	some listener in object.get(object.get(routing.kubernetes_gateway(key), "spec", {}), "listeners", [])
	some host in hosts
	networking.host_matches(object.get(listener, "hostname", ""), host)
}

violation contains {
	"id": "vs-gateway-host-declared",
	"message": sprintf("VirtualService %s/%s is bound to gateway %s, which declares none of its hosts %s", [lib.namespace, lib.name, ref, concat(", ", hosts)]),
	"details": {"field": "spec.gateways", "gateway": ref, "hosts": hosts},
} if {
	lib.is_kind("VirtualService")
	lib.known("Gateway")
	some ref in object.get(lib.obj.spec, "gateways", [])
	ref != "mesh"
	not routing.internal_gateway(ref)
	key := networking.gateway_ref(ref, lib.namespace)
	routing.gateway_exists(key)
	not declares_one(key)
}
