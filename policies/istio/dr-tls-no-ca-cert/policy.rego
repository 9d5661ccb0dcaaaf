# METADATA
# title: DestinationRule TLS origination must verify the server certificate
# description: |
#   A DestinationRule that originates TLS (tls.mode SIMPLE or MUTUAL) at the destination level
#   (spec.trafficPolicy.tls, or a subset's trafficPolicy.tls) must say how to verify the server:
#   `caCertificates`, or `credentialName` (the Secret's CA, e.g. its ca.crt or a `-cacert`
#   Secret, also provides it). Without either, or with `insecureSkipVerify: true`, any server
#   certificate is accepted (istioctl IST0128 NoServerCertificateVerificationDestinationLevel;
#   istioctl checks only spec.trafficPolicy, this rule also checks subsets). Port-level settings
#   are the rule dr-tls-no-ca-cert-port (IST0129). No inventory is needed.
# custom:
#   id: dr-tls-no-ca-cert
#   severity: medium
#   enforcement: warn
#   kinds: [DestinationRule]
#   istioCode: IST0128
package meshguard.rules.dr_tls_no_ca_cert

import data.meshguard.lib
import data.meshguard.lib.networking

host := object.get(lib.obj.spec, "host", "")

violation contains {
	"id": "dr-tls-no-ca-cert",
	"message": sprintf("DestinationRule %s/%s has %s.tls.mode %s for host %s but %s, so the server certificate is not verified", [lib.namespace, lib.name, level.field, mode, host, problem]),
	"details": {"field": sprintf("%s.tls", [level.field]), "mode": mode, "host": host, "subset": level.subset, "problem": problem},
} if {
	lib.is_kind("DestinationRule")
	some level in networking.traffic_policies(lib.obj.spec)
	level.port == ""
	tls := object.get(level.policy, "tls", {})
	mode := object.get(tls, "mode", "")
	mode in {"SIMPLE", "MUTUAL"}
	some problem in networking.verification_problems(tls)
}
