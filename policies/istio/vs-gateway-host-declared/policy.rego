# METADATA
# title: VirtualService hosts must be declared by its gateways
# description: |
#   A gateway only serves the hosts its servers declare, so a VirtualService host the gateway does
#   not declare is dead configuration (istioctl IST0132 VirtualServiceHostNotFoundInGateway).
#   Gateway hosts are read as Istio does: `ns/host` only counts for VirtualServices in ns, `./host`
#   for the Gateway's namespace, `*/host` and a bare host for all; wildcards match both ways.
#   Like istioctl, a gateway that declares none of the VirtualService's hosts is reported; when
#   the VirtualService is bound only to gateways (not to `mesh`), each host no bound gateway
#   declares is also reported (a VirtualService bound to the mesh as well may carry mesh-only
#   hosts). Inventory: needs Gateway; gateways missing from the inventory are skipped (the rule
#   vs-gateway-exists reports them); when Gateway is not known the rule stays silent.
# custom:
#   id: vs-gateway-host-declared
#   severity: medium
#   enforcement: warn
#   kinds: [VirtualService]
#   istioCode: IST0132
package meshguard.rules.vs_gateway_host_declared

import data.meshguard.lib
import data.meshguard.lib.networking

hosts := object.get(lib.obj.spec, "hosts", [])

# The bound gateways (not mesh) as {"ref", "gateway"}; gateway is undefined when missing.
bound := [{"ref": ref, "key": gw} |
	some ref in networking.gateways(lib.obj)
	ref != "mesh"
	gw := networking.gateway_ref(ref, lib.namespace)
]

existing := [b |
	some b in bound
	lib.inventory.Gateway[b.key.namespace][b.key.name]
]

# gateway_hosts(key) is the hosts Gateway key declares for VirtualServices of this namespace.
gateway_hosts(key) := [sh.host |
	some server in object.get(lib.inventory.Gateway[key.namespace][key.name].spec, "servers", [])
	some entry in object.get(server, "hosts", [])
	sh := networking.server_host(entry, key.namespace)
	sh.namespace in {"*", lib.namespace}
]

declared(key, host) if {
	some gh in gateway_hosts(key)
	networking.host_matches(gh, host)
}

checked if {
	lib.is_kind("VirtualService")
	lib.known("Gateway")
}

violation contains {
	"id": "vs-gateway-host-declared",
	"message": sprintf("VirtualService %s/%s is bound to gateway %s, which declares none of its hosts %s", [lib.namespace, lib.name, b.ref, concat(", ", hosts)]),
	"details": {"field": "spec.gateways", "gateway": b.ref, "hosts": hosts},
} if {
	checked
	report_per_gateway
	some b in existing
	every host in hosts {
		not declared(b.key, host)
	}
}

report_per_gateway if networking.bound_to_mesh(lib.obj)

report_per_gateway if count(bound) > 1

violation contains {
	"id": "vs-gateway-host-declared",
	"message": sprintf("VirtualService %s/%s host %s (spec.hosts[%d]) is not declared by its gateway%s %s", [lib.namespace, lib.name, host, i, plural, concat(", ", [b.ref | some b in bound])]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": host, "gateways": [b.ref | some b in bound]},
} if {
	checked
	not networking.bound_to_mesh(lib.obj)
	count(existing) == count(bound)
	some i, host in hosts
	every b in existing {
		not declared(b.key, host)
	}
	plural := plural_s(count(bound))
}

plural_s(n) := "s" if n > 1

plural_s(n) := "" if n <= 1
