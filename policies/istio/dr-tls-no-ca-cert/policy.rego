# METADATA
# title: DestinationRule TLS origination must verify the server certificate
# description: |
#   A DestinationRule whose spec.trafficPolicy.tls originates TLS (mode SIMPLE or MUTUAL) without
#   `caCertificates` accepts any server certificate, unless it sets `credentialName` and has a
#   workloadSelector (sidecars read credentialName only then) (istioctl IST0128
#   NoServerCertificateVerificationDestinationLevel, destinationrule.CaCertificateAnalyzer; like
#   istioctl, subsets are not checked). Port-level settings are the rule dr-tls-no-ca-cert-port
#   (IST0129). No inventory is needed.
# custom:
#   id: dr-tls-no-ca-cert
#   severity: medium
#   enforcement: warn
#   fix: 'Set spec.trafficPolicy.tls.caCertificates (or credentialName with a workloadSelector) so the server certificate is verified.'
#   why: 'unverified TLS is a risk to review, not an outage'
#   kinds: [DestinationRule]
#   istioCode: IST0128
package meshguard.rules.dr_tls_no_ca_cert

import data.meshguard.lib
import data.meshguard.lib.routing

host := object.get(lib.obj.spec, "host", "")

violation contains {
	"id": "dr-tls-no-ca-cert",
	"message": sprintf("DestinationRule %s/%s has spec.trafficPolicy.tls.mode %s for host %s but %s, so the server certificate is not verified", [lib.namespace, lib.name, mode, host, problem]),
	"details": {"field": "spec.trafficPolicy.tls", "mode": mode, "host": host, "problem": problem},
} if {
	lib.is_kind("DestinationRule")
	tls := object.get(object.get(lib.obj.spec, "trafficPolicy", {}), "tls", {})
	routing.originates_tls(tls)
	mode := tls.mode
	problem := routing.tls_verification_problem(tls)
}
