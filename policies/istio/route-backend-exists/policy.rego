# METADATA
# title: Route backendRefs must resolve to a Service or ServiceEntry with that port
# description: |
#   Every backendRef of an HTTPRoute, GRPCRoute, TCPRoute or TLSRoute must name an existing
#   Service (the default kind) or, as Istio supports, a ServiceEntry (group networking.istio.io),
#   and its port must be one that Service or ServiceEntry declares. Otherwise the route's
#   ResolvedRefs condition is False and Istio answers the requests meant for that backend with
#   HTTP 500 (TCP and TLS connections are reset). References of kind Hostname
#   (networking.istio.io) and of other kinds are not judged. Inventory: needs Service
#   (ServiceEntry for those references); a missing backend is reported only when the inventory
#   covers its namespace.
# custom:
#   id: route-backend-exists
#   api: gateway-api
#   severity: high
#   enforcement: deny
#   kinds: [HTTPRoute, GRPCRoute, TCPRoute, TLSRoute]
#   fix: Point the backendRef at an existing Service or ServiceEntry and one of its ports, or create the backend first.
package meshguard.rules.route_backend_exists

import data.meshguard.lib
import data.meshguard.lib.gateway_api

violation contains finding(b, b.field, sprintf("%s %s/%s does not exist", [kind, b.namespace, b.name])) if {
	some b in gateway_api.backend_refs
	kind := backend_kind(b)
	lib.known(kind)
	lib.covers(b.namespace, {kind})
	not lib.inventory[kind][b.namespace][b.name]
}

violation contains finding(b, concat(".", [b.field, "port"]), sprintf("%s %s/%s has no port %d (it has %s)", [kind, b.namespace, b.name, b.port, ports_text(ports)])) if {
	some b in gateway_api.backend_refs
	kind := backend_kind(b)
	target := lib.inventory[kind][b.namespace][b.name]
	b.port != 0
	ports := ports_of(kind, target)
	not b.port in ports
}

backend_kind(b) := "Service" if {
	gateway_api.core(b.group)
	b.kind == "Service"
} else := "ServiceEntry" if {
	b.group == "networking.istio.io"
	b.kind == "ServiceEntry"
}

ports_of("Service", svc) := {p.port | some p in object.get(object.get(svc, "spec", {}), "ports", []); is_number(p.port)}

ports_of("ServiceEntry", se) := {p.number | some p in object.get(object.get(se, "spec", {}), "ports", []); is_number(p.number)}

ports_text(ports) := "no ports" if {
	count(ports) == 0
} else := concat(", ", [format_int(p, 10) | some p in sort(ports)])

finding(b, field, why) := {
	"id": "route-backend-exists",
	"message": sprintf("%s %s/%s routes to %s (%s), but %s", [gateway_api.api_kind, lib.namespace, lib.name, b.name, b.field, why]),
	"details": {"field": field, "backend": {"kind": b.kind, "namespace": b.namespace, "name": b.name, "port": b.port}},
}
