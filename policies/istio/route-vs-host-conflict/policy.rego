# METADATA
# title: A host must not be routed by both a VirtualService and an HTTPRoute
# description: |
#   When an HTTPRoute (or GRPCRoute) and a VirtualService route the same host on the same
#   Gateway API Gateway (the VirtualService binds to it by spec.gateways), or for the same
#   Service (the route's parentRef is the Service, the VirtualService is bound to the mesh and has
#   the Service's host), Istio merges the two into one route table in an order neither author
#   controls (istio/istio#60776): which rule answers a request depends on the other object.
#   Judged from both sides: the route against the inventory's VirtualServices, and a
#   VirtualService against the inventory's HTTPRoutes and GRPCRoutes. Inventory: VirtualService,
#   HTTPRoute, GRPCRoute when known.
# custom:
#   id: route-vs-host-conflict
#   api: gateway-api
#   severity: medium
#   enforcement: warn
#   kinds: [HTTPRoute, GRPCRoute, VirtualService]
#   fix: Route the host with either the VirtualService or the HTTPRoute and delete the other's rules for it.
package meshguard.rules.route_vs_host_conflict

import data.meshguard.lib
import data.meshguard.lib.gateway_api
import data.meshguard.lib.networking

# The admitted route against the VirtualServices of the inventory.
violation contains {
	"id": "route-vs-host-conflict",
	"message": sprintf("%s %s/%s routes traffic %s (spec.parentRefs[%d]), where VirtualService %s/%s also routes host %s; Istio merges the two in no defined order", [gateway_api.api_kind, lib.namespace, lib.name, c.target, c.parent, ns_of(vs), name_of(vs), c.host]),
	"details": {"field": sprintf("spec.parentRefs[%d]", [c.parent]), "virtualService": {"namespace": ns_of(vs), "name": name_of(vs)}, "host": c.host},
} if {
	gateway_api.is_route
	lib.kind in {"HTTPRoute", "GRPCRoute"}
	some vs in lib.items("VirtualService")
	some c in conflicts(lib.obj, lib.namespace, vs)
}

# The admitted VirtualService against the HTTPRoutes and GRPCRoutes of the inventory.
violation contains {
	"id": "route-vs-host-conflict",
	"message": sprintf("VirtualService %s/%s routes host %s (spec.hosts[%d]) %s, where %s %s/%s also routes it; Istio merges the two in no defined order", [lib.namespace, lib.name, c.host, c.host_index, c.target, route.kind, ns_of(route), name_of(route)]),
	"details": {"field": sprintf("spec.hosts[%d]", [c.host_index]), "route": {"kind": route.kind, "namespace": ns_of(route), "name": name_of(route)}, "host": c.host},
} if {
	lib.is_kind("VirtualService")
	some kind in ["HTTPRoute", "GRPCRoute"]
	some route in lib.items(kind)
	some c in conflicts(route, ns_of(route), lib.obj)
}

# conflicts(route, route_ns, vs) are the hosts route and vs both route on the same Gateway or
# for the same Service: {"parent", "target", "host", "host_index"}.
conflicts(route, route_ns, vs) := {{"parent": p.index, "target": sprintf("on Gateway %s/%s", [p.namespace, p.name]), "host": h, "host_index": k} |
	some p in gateway_api.parents_of(route, route_ns)
	p.group == gateway_api.group
	p.kind == "Gateway"
	some g in networking.gateways(vs)
	networking.gateway_ref(g, ns_of(vs)) == {"namespace": p.namespace, "name": p.name}
	some k, h in object.get(vs.spec, "hosts", [])
	overlaps(h, object.get(route.spec, "hostnames", []))
} | {{"parent": p.index, "target": sprintf("for Service %s/%s", [p.namespace, p.name]), "host": h, "host_index": k} |
	some p in gateway_api.parents_of(route, route_ns)
	gateway_api.core(p.group)
	p.kind == "Service"
	networking.bound_to_mesh(vs)
	some k, h in object.get(vs.spec, "hosts", [])
	lib.fqdn(h, ns_of(vs)) == sprintf("%s.%s.svc.%s", [p.name, p.namespace, lib.mesh_domain])
}

# overlaps(h, hostnames) holds when VirtualService host h and a route's hostnames share a host
# (a route without hostnames takes every host of its listener).
overlaps(_, hostnames) if count(hostnames) == 0

overlaps("*", _)

overlaps(h, hostnames) if {
	some r in hostnames
	gateway_api.intersects(h, r)
}

ns_of(o) := object.get(o.metadata, "namespace", "")

name_of(o) := object.get(o.metadata, "name", "")
