# METADATA
# title: Gateway listeners must not conflict on port, protocol and hostname
# description: |
#   Listeners of a Gateway API Gateway (or ListenerSet) that share a port must be told apart, as
#   the specification's listener compatibility rules and Istio require: on one port, either every
#   listener is HTTP or every listener is HTTPS or TLS (told apart by SNI), each with a hostname of
#   its own (one may omit it); TCP and UDP listeners carry no hostname, so two of them cannot
#   share a port. Conflicting listeners get the Conflicted condition and are not programmed.
#   Protocols outside the specification's core (Istio's HBONE) are not judged.
# custom:
#   id: k8sgw-listener-conflict
#   api: gateway-api
#   severity: high
#   enforcement: deny
#   kinds: [KubernetesGateway, ListenerSet]
#   fix: Move one of the conflicting listeners to another port, or give each listener on the port the same protocol family and a distinct hostname.
package meshguard.rules.k8sgw_listener_conflict

import data.meshguard.lib
import data.meshguard.lib.gateway_api

violation contains {
	"id": "k8sgw-listener-conflict",
	"message": sprintf("%s %s/%s listeners %s and %s conflict on port %d: %s", [gateway_api.api_kind, lib.namespace, lib.name, name_of(a), name_of(b), port, why]),
	"details": {"field": sprintf("spec.listeners[%d]", [b.index]), "listeners": [name_of(a), name_of(b)], "port": port},
} if {
	some a in gateway_api.listeners
	some b in gateway_api.listeners
	a.index < b.index
	port := object.get(a.listener, "port", 0)
	object.get(b.listener, "port", 0) == port
	why := conflict(a.listener, b.listener)
}

family("HTTP") := "HTTP"

family("HTTPS") := "TLS"

family("TLS") := "TLS"

family("TCP") := "TCP"

family("UDP") := "UDP"

conflict(a, b) := sprintf("protocols %s and %s cannot share a port", [pa, pb]) if {
	pa := object.get(a, "protocol", "")
	pb := object.get(b, "protocol", "")
	family(pa) != family(pb)
} else := sprintf("%s listeners have no hostname to tell them apart", [pa]) if {
	pa := object.get(a, "protocol", "")
	family(pa) in {"TCP", "UDP"}
	family(object.get(b, "protocol", "")) == family(pa)
} else := sprintf("both accept %s", [host_text(host)]) if {
	family(object.get(a, "protocol", "")) in {"HTTP", "TLS"}
	family(object.get(b, "protocol", "")) == family(object.get(a, "protocol", ""))
	host := object.get(a, "hostname", "")
	object.get(b, "hostname", "") == host
}

host_text("") := "every hostname"

host_text(h) := sprintf("hostname %s", [h]) if h != ""

name_of(x) := object.get(x.listener, "name", "")
