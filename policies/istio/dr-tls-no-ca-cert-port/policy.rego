# METADATA
# title: DestinationRule port-level TLS origination must verify the server certificate
# description: |
#   The port-level counterpart of dr-tls-no-ca-cert: a portLevelSettings entry (of
#   spec.trafficPolicy or of a subset's trafficPolicy) with tls.mode SIMPLE or MUTUAL must set
#   `caCertificates` or `credentialName`, and must not set `insecureSkipVerify: true`; otherwise
#   the server certificate on that port is not verified (istioctl IST0129
#   NoServerCertificateVerificationPortLevel). No inventory is needed.
# custom:
#   id: dr-tls-no-ca-cert-port
#   severity: medium
#   enforcement: warn
#   kinds: [DestinationRule]
#   istioCode: IST0129
package meshguard.rules.dr_tls_no_ca_cert_port

import data.meshguard.lib
import data.meshguard.lib.networking

host := object.get(lib.obj.spec, "host", "")

violation contains {
	"id": "dr-tls-no-ca-cert-port",
	"message": sprintf("DestinationRule %s/%s has %s.tls.mode %s for host %s port %s but %s, so the server certificate is not verified", [lib.namespace, lib.name, level.field, mode, host, level.port, problem]),
	"details": {"field": sprintf("%s.tls", [level.field]), "mode": mode, "host": host, "port": level.port, "subset": level.subset, "problem": problem},
} if {
	lib.is_kind("DestinationRule")
	some level in networking.traffic_policies(lib.obj.spec)
	level.port != ""
	tls := object.get(level.policy, "tls", {})
	mode := object.get(tls, "mode", "")
	mode in {"SIMPLE", "MUTUAL"}
	some problem in networking.verification_problems(tls)
}
