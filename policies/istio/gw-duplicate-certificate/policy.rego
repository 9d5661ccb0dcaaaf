# METADATA
# title: Gateways on the same workload should not share a certificate
# description: |
#   When two Gateways on the same gateway workload serve the same certificate, clients that reuse
#   an HTTP/2 connection for the other Gateway's host get 404s (istioctl IST0138
#   GatewayDuplicateCertificate, gateway.CertificateAnalyzer). As istioctl: the other Gateway's
#   selector must contain the admitted Gateway's selector (an empty selector covers every Gateway),
#   in any namespace; two TLS servers share a certificate when both credentialNames are set and
#   equal, or neither is set and both serverCertificate and privateKey are set and equal.
#   Inventory: needs Gateway; silent when that kind is not known.
# custom:
#   id: gw-duplicate-certificate
#   severity: medium
#   enforcement: warn
#   fix: 'Serve the hosts from one Gateway, or give each Gateway its own certificate.'
#   why: 'clients reusing HTTP/2 connections may get 404s; a risk to review'
#   kinds: [Gateway]
#   istioCode: IST0138
package meshguard.rules.gw_duplicate_certificate

import data.meshguard.lib
import data.meshguard.lib.workloads

violation contains {
	"id": "gw-duplicate-certificate",
	"message": concat("", [
		"Gateway ", self, " serves the same certificate as Gateway ", other_name, " on the same workload: duplicate certificate in multiple gateways [",
		self, " ", other_name, "] may cause 404s if clients re-use HTTP2 connections (IST0138)",
	]),
	"details": {"field": "spec.servers", "gateways": [self, other_name]},
} if {
	lib.is_kind("Gateway")
	lib.known("Gateway")
	some other in candidates
	workloads.matches_labels(object.get(lib.obj.spec, "selector", {}), object.get(other.spec, "selector", {}))
	some server in object.get(lib.obj.spec, "servers", [])
	some other_server in object.get(other.spec, "servers", [])
	same_certificate(object.get(server, "tls", null), object.get(other_server, "tls", null))
	other_name := concat("/", [object.get(other.metadata, "namespace", ""), object.get(other.metadata, "name", "")])
}

self := concat("/", [lib.namespace, lib.name])

# candidates are the Gateways that name one of the admitted Gateway's certificates (a
# credentialName or serverCertificate), the only ones that can share one with it.
candidates := lib.gateways_with("certificates", {v |
	some s in object.get(lib.obj.spec, "servers", [])
	tls := object.get(s, "tls", {})
	is_object(tls)
	some f in ["credentialName", "serverCertificate"]
	v := object.get(tls, f, "")
	is_string(v)
	v != ""
})

same_certificate(a, b) if {
	is_object(a)
	is_object(b)
	object.get(a, "credentialName", "") != ""
	object.get(a, "credentialName", "") == object.get(b, "credentialName", "")
}

same_certificate(a, b) if {
	is_object(a)
	is_object(b)
	object.get(a, "credentialName", "") == ""
	object.get(b, "credentialName", "") == ""
	every f in ["serverCertificate", "privateKey"] {
		object.get(a, f, "") != ""
		object.get(a, f, "") == object.get(b, f, "")
	}
}
