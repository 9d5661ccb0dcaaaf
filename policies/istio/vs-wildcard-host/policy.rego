# METADATA
# title: VirtualService must not claim the wildcard host "*"
# description: |
#   A VirtualService host "*" captures every host of every gateway it is bound to (and, bound to
#   the mesh, every destination of the sidecars), so it silently shadows other teams' routes.
#   Hosts must be named (a domain wildcard such as "*.example.com" is fine). The param
#   `allowWildcardHosts: true` turns the rule off. No inventory is needed.
# custom:
#   id: vs-wildcard-host
#   severity: high
#   enforcement: deny
#   fix: 'List the hosts the VirtualService serves (a domain wildcard such as "*.example.com" is fine), or set the param `allowWildcardHosts: true` on a dedicated gateway.'
#   why: 'shadows other teams'' routes (traffic)'
#   kinds: [VirtualService]
package meshguard.rules.vs_wildcard_host

import data.meshguard.lib
import data.meshguard.lib.networking

violation contains {
	"id": "vs-wildcard-host",
	"message": sprintf("VirtualService %s/%s claims host \"*\" (spec.hosts[%d]), which captures every host on %s; name the hosts it serves", [lib.namespace, lib.name, i, concat(", ", gateways)]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": "*", "gateways": gateways},
} if {
	lib.is_kind("VirtualService")
	not lib.param("vs-wildcard-host", "allowWildcardHosts", false)
	some i, host in object.get(lib.obj.spec, "hosts", [])
	host == "*"
	gateways := networking.gateways(lib.obj)
}
