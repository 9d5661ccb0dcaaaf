# METADATA
# title: Gateway TLS servers must not serve any host
# description: |
#   A TLS-facing server (protocol HTTPS or TLS, or a port listed in the param `ports`, 443 by
#   default) with the host "*" (or "ns/*") accepts any SNI and Host, so any VirtualService in the
#   allowed namespaces can publish any domain on the certificate's listener. Hosts must be named
#   (domain wildcards such as "*.example.com" are fine). `allowWildcardHosts: true` turns the
#   rule off. No inventory is needed.
# custom:
#   id: gw-wildcard-host
#   severity: high
#   enforcement: deny
#   fix: 'List the hosts the server serves (a domain wildcard such as "*.example.com" is fine), or set the param `allowWildcardHosts: true` for a dedicated gateway.'
#   why: 'any VirtualService could publish any domain on the listener (security)'
#   kinds: [Gateway]
package meshguard.rules.gw_wildcard_host

import data.meshguard.lib
import data.meshguard.lib.networking

tls_facing(server) if networking.protocol(server) in {"HTTPS", "TLS"}

tls_facing(server) if server.port.number in lib.param("gw-wildcard-host", "ports", [443])

violation contains {
	"id": "gw-wildcard-host",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] on port %s accepts any host (%s); name the hosts it serves", [lib.namespace, lib.name, i, networking.port_of(server), entry]),
	"details": {"field": sprintf("spec.servers[%d].hosts[%d]", [i, j]), "host": entry, "port": networking.port_of(server)},
} if {
	lib.is_kind("Gateway")
	not lib.param("gw-wildcard-host", "allowWildcardHosts", false)
	some i, server in object.get(lib.obj.spec, "servers", [])
	tls_facing(server)
	some j, entry in object.get(server, "hosts", [])
	networking.server_host(entry, lib.namespace).host == "*"
}
