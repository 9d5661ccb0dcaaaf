# METADATA
# title: Gateway HTTPS and TLS servers must terminate TLS with a certificate
# description: |
#   A server whose port protocol is HTTPS or TLS must set tls.mode (left unset, Istio falls back
#   to PASSTHROUGH without saying so) and, for the terminating modes SIMPLE, MUTUAL and
#   OPTIONAL_MUTUAL, a certificate: `credentialName`, `credentialNames`, `tlsCertificates`, or
#   both `serverCertificate` and `privateKey` files. PASSTHROUGH, AUTO_PASSTHROUGH and
#   ISTIO_MUTUAL need no certificate of their own (PASSTHROUGH is judged by gw-tls-passthrough).
#   No inventory is needed; whether the Secret exists is the rule gw-credential-secret.
# custom:
#   id: gw-tls-credential
#   severity: high
#   enforcement: deny
#   fix: 'Set tls.mode (SIMPLE, MUTUAL, OPTIONAL_MUTUAL, PASSTHROUGH or ISTIO_MUTUAL) and, for SIMPLE and MUTUAL, tls.credentialName naming the certificate Secret.'
#   why: 'the listener falls back to passthrough or has no certificate (traffic, security)'
#   kinds: [Gateway]
package meshguard.rules.gw_tls_credential

import data.meshguard.lib
import data.meshguard.lib.networking

terminating_modes := {"SIMPLE", "MUTUAL", "OPTIONAL_MUTUAL"}

tls_servers contains {"index": i, "server": server, "port": port} if {
	lib.is_kind("Gateway")
	some i, server in object.get(lib.obj.spec, "servers", [])
	networking.protocol(server) in {"HTTPS", "TLS"}
	port := networking.port_of(server)
}

violation contains {
	"id": "gw-tls-credential",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] (port %s, %s) sets no tls.mode; set SIMPLE or MUTUAL with a certificate, or PASSTHROUGH explicitly", [lib.namespace, lib.name, s.index, s.port, networking.protocol(s.server)]),
	"details": {"field": sprintf("spec.servers[%d].tls.mode", [s.index]), "port": s.port},
} if {
	some s in tls_servers
	networking.tls_mode(s.server) == ""
}

violation contains {
	"id": "gw-tls-credential",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] (port %s) terminates TLS (mode %s) without a certificate: set credentialName, or serverCertificate and privateKey", [lib.namespace, lib.name, s.index, s.port, mode]),
	"details": {"field": sprintf("spec.servers[%d].tls.credentialName", [s.index]), "port": s.port, "mode": mode},
} if {
	some s in tls_servers
	mode := networking.tls_mode(s.server)
	mode in terminating_modes
	not has_certificate(s.server.tls)
}

has_certificate(tls) if tls.credentialName != ""

has_certificate(tls) if count(tls.credentialNames) > 0

has_certificate(tls) if count(tls.tlsCertificates) > 0

has_certificate(tls) if {
	tls.serverCertificate != ""
	tls.privateKey != ""
}
