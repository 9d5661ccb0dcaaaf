# METADATA
# title: Gateway TLS PASSTHROUGH only where allowed
# description: |
#   A PASSTHROUGH server forwards encrypted traffic without terminating it, so the gateway can
#   neither apply HTTP routing, authorization and telemetry nor see what it admits. It is denied
#   unless the param `allowPassthrough` is true or the Gateway's namespace is listed in
#   `allowedNamespaces`. AUTO_PASSTHROUGH (multi-network east-west gateways, mTLS end to end) is
#   not concerned. No inventory is needed.
# custom:
#   id: gw-tls-passthrough
#   severity: medium
#   enforcement: deny
#   fix: 'Terminate TLS at the gateway (tls.mode SIMPLE with a credentialName), or have the namespace added to the param `allowedNamespaces` (or set `allowPassthrough`).'
#   why: 'the gateway cannot authorize or see what it admits (security)'
#   kinds: [Gateway]
package meshguard.rules.gw_tls_passthrough

import data.meshguard.lib
import data.meshguard.lib.networking

allowed if lib.param("gw-tls-passthrough", "allowPassthrough", false) == true

allowed if lib.namespace in lib.param("gw-tls-passthrough", "allowedNamespaces", [])

violation contains {
	"id": "gw-tls-passthrough",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] on port %s uses tls.mode PASSTHROUGH, which namespace %s may not use", [lib.namespace, lib.name, i, networking.port_of(server), lib.namespace]),
	"details": {"field": sprintf("spec.servers[%d].tls.mode", [i]), "mode": "PASSTHROUGH", "port": networking.port_of(server)},
} if {
	lib.is_kind("Gateway")
	not allowed
	some i, server in object.get(lib.obj.spec, "servers", [])
	networking.tls_mode(server) == "PASSTHROUGH"
}
