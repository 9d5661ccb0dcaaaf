# METADATA
# title: Gateway plain HTTP servers must redirect to HTTPS
# description: |
#   An ingress server on protocol HTTP serves its hosts in clear text unless it sets
#   `tls.httpsRedirect: true` (a 301 to HTTPS). Gateways whose selector contains one of the label
#   sets in the param `ignoreSelectors` (egress gateways by default, which receive plain HTTP from
#   sidecars on purpose) are not checked. No inventory is needed.
# custom:
#   id: gw-https-redirect
#   severity: medium
#   enforcement: warn
#   fix: 'Set `tls.httpsRedirect: true` on the HTTP server, or add the gateway''s selector to the param `ignoreSelectors` when it must serve plain HTTP.'
#   why: 'clear text at the edge is a risk to review, and often intended at first'
#   kinds: [Gateway]
package meshguard.rules.gw_https_redirect

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.workloads

ignored if {
	some labels in lib.param("gw-https-redirect", "ignoreSelectors", [{"istio": "egressgateway"}])
	count(labels) > 0
	workloads.matches_labels(labels, object.get(lib.obj.spec, "selector", {}))
}

violation contains {
	"id": "gw-https-redirect",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] serves %s over plain HTTP on port %s without tls.httpsRedirect: true", [lib.namespace, lib.name, i, concat(", ", hosts), port]),
	"details": {"field": sprintf("spec.servers[%d].tls.httpsRedirect", [i]), "port": port, "hosts": hosts},
} if {
	lib.is_kind("Gateway")
	not ignored
	some i, server in object.get(lib.obj.spec, "servers", [])
	networking.protocol(server) == "HTTP"
	not object.get(object.get(server, "tls", {}), "httpsRedirect", false) == true
	port := networking.port_of(server)
	hosts := object.get(server, "hosts", [])
}
