# METADATA
# title: Gateway TLS credentials must hold a valid certificate
# description: |
#   The Secret a server's `credentialName` (or each of `credentialNames`) names must hold a
#   certificate and key under the keys Istio reads (`cert` and `key`, else `tls.crt` and
#   `tls.key`), and the certificate must parse and be valid now; else the gateway cannot serve the
#   listener (istioctl IST0161 InvalidGatewayCredential, gateway.SecretAnalyzer). The Secret is
#   looked up where gw-credential-secret looks (the namespace of the gateway workloads, else the
#   Gateway's own); a missing Secret is gw-credential-secret's IST0101. The rule reads each
#   Secret's TLS facts (tlsFacts: valid, problem, notBefore, notAfter), never its data: `meshguard
#   check` computes them when it loads the files; in a cluster only with the setting
#   secretTlsFacts on (the reflector computes them as Secrets arrive and drops the data, and judges
#   them again when a certificate expires). Otherwise the inventory holds Secret metadata only and
#   the rule stays silent.
# custom:
#   id: gw-credential-invalid
#   severity: high
#   enforcement: deny
#   fix: 'Put a valid, unexpired certificate and its key in the Secret under `tls.crt`/`tls.key` (or `cert`/`key`), or point credentialName at a Secret that has them.'
#   why: 'the listener cannot serve TLS (traffic)'
#   kinds: [Gateway]
#   istioCode: IST0161
package meshguard.rules.gw_credential_invalid

import data.meshguard.lib
import data.meshguard.rules.gw_credential_secret as refs

violation contains {
	"id": "gw-credential-invalid",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] uses TLS credential %s, but Secret %s/%s is not a usable credential: %s (The credential referenced by the Gateway %s in namespace %s is invalid)", [lib.namespace, lib.name, c.index, c.name, ns, c.name, facts.problem, lib.name, ns]),
	"details": {"field": sprintf("spec.servers[%d].tls.%s", [c.index, c.field]), "secret": sprintf("%s/%s", [ns, c.name]), "problem": facts.problem},
} if {
	lib.is_kind("Gateway")
	some c in refs.credentials
	some ns in refs.secret_namespaces
	facts := lib.inventory.Secret[ns][c.name].tlsFacts
	facts.valid == false
}
