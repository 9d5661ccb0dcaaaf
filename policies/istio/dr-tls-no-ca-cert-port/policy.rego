# METADATA
# title: DestinationRule port-level TLS origination must verify the server certificate
# description: |
#   The port-level counterpart of dr-tls-no-ca-cert: an entry of
#   spec.trafficPolicy.portLevelSettings with tls.mode SIMPLE or MUTUAL and no `caCertificates`
#   does not verify the server on that port, unless it sets `credentialName` and the
#   DestinationRule has a workloadSelector (istioctl IST0129 NoServerCertificateVerificationPortLevel,
#   destinationrule.CaCertificateAnalyzer; like istioctl, subsets are not checked). No inventory
#   is needed.
# custom:
#   id: dr-tls-no-ca-cert-port
#   severity: medium
#   enforcement: warn
#   fix: 'Set tls.caCertificates on the portLevelSettings entry (or credentialName with a workloadSelector) so the server certificate is verified.'
#   why: 'unverified TLS is a risk to review, not an outage'
#   kinds: [DestinationRule]
#   istioCode: IST0129
package meshguard.rules.dr_tls_no_ca_cert_port

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing

host := object.get(lib.obj.spec, "host", "")

violation contains {
	"id": "dr-tls-no-ca-cert-port",
	"message": sprintf("DestinationRule %s/%s has %s.tls.mode %s for host %s port %s but %s, so the server certificate is not verified", [lib.namespace, lib.name, field, mode, host, port, problem]),
	"details": {"field": sprintf("%s.tls", [field]), "mode": mode, "host": host, "port": port, "problem": problem},
} if {
	lib.is_kind("DestinationRule")
	some i, pls in object.get(object.get(lib.obj.spec, "trafficPolicy", {}), "portLevelSettings", [])
	tls := object.get(pls, "tls", {})
	routing.originates_tls(tls)
	mode := tls.mode
	problem := routing.tls_verification_problem(tls)
	field := sprintf("spec.trafficPolicy.portLevelSettings[%d]", [i])
	port := networking.port_number(pls)
}
