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

# The admitted route's Gateway parents against the VirtualServices bound to those Gateways.
violation contains route_finding(p, vs, h) if {
	count(gateway_parents) > 0
	some vs in lib.items("VirtualService")
	some g in object.get(vs.spec, "gateways", [])
	some p in gateway_parents
	refers(g, ns_of(vs), p)
	some h in object.get(vs.spec, "hosts", [])
	overlaps(h, object.get(lib.obj.spec, "hostnames", []))
}

# The admitted route's Service parents against the VirtualServices of the mesh with their host.
violation contains route_finding(p, vs, h) if {
	count(service_parents) > 0
	some vs in lib.items("VirtualService")
	networking.bound_to_mesh(vs)
	some h in object.get(vs.spec, "hosts", [])
	some p in service_parents
	names_service(h, ns_of(vs), p)
}

# The admitted VirtualService against the HTTPRoutes and GRPCRoutes of its Gateways and Services.
violation contains {
	"id": "route-vs-host-conflict",
	"message": sprintf("VirtualService %s/%s routes host %s (spec.hosts[%d]) %s, where %s %s/%s also routes it; Istio merges the two in no defined order", [lib.namespace, lib.name, h, k, target, route.kind, ns_of(route), name_of(route)]),
	"details": {"field": sprintf("spec.hosts[%d]", [k]), "route": {"kind": route.kind, "namespace": ns_of(route), "name": name_of(route)}, "host": h},
} if {
	lib.is_kind("VirtualService")
	some route in inventory_routes
	some ref in object.get(route.spec, "parentRefs", [])
	key := parent_key(ref, ns_of(route))
	some t in vs_targets[key]
	some k, h in object.get(lib.obj.spec, "hosts", [])
	vs_host_conflicts(t, h, object.get(route.spec, "hostnames", []))
	target := target_text(t)
}

# inventory_routes are the inventory's HTTPRoutes and GRPCRoutes; without any, the admitted
# VirtualService's targets are never computed.
inventory_routes := [route |
	some kind in ["HTTPRoute", "GRPCRoute"]
	some route in lib.items(kind)
]

route_finding(p, vs, h) := {
	"id": "route-vs-host-conflict",
	"message": sprintf("%s %s/%s routes traffic %s (spec.parentRefs[%d]), where VirtualService %s/%s also routes host %s; Istio merges the two in no defined order", [gateway_api.api_kind, lib.namespace, lib.name, target_text(p), p.index, ns_of(vs), name_of(vs), h]),
	"details": {"field": sprintf("spec.parentRefs[%d]", [p.index]), "virtualService": {"namespace": ns_of(vs), "name": name_of(vs)}, "host": h},
}

# gateway_parents and service_parents are the admitted HTTPRoute's or GRPCRoute's parents.
gateway_parents := [p |
	lib.kind in {"HTTPRoute", "GRPCRoute"}
	some p in gateway_api.parents
	p.group == gateway_api.group
	p.kind == "Gateway"
]

service_parents := [p |
	lib.kind in {"HTTPRoute", "GRPCRoute"}
	some p in gateway_api.parents
	gateway_api.core(p.group)
	p.kind == "Service"
]

target_text(p) := sprintf("on Gateway %s/%s", [p.namespace, p.name]) if p.kind == "Gateway"

target_text(p) := sprintf("for Service %s/%s", [p.namespace, p.name]) if p.kind == "Service"

# refers(g, vs_ns, p) holds when spec.gateways entry g of a VirtualService in vs_ns names the
# Gateway of parent p: "ns/name", a bare name in the VirtualService's namespace, or "name.ns...".
refers(g, _, p) if g == concat("/", [p.namespace, p.name])

refers(g, vs_ns, p) if {
	g == p.name
	vs_ns == p.namespace
}

refers(g, _, p) if g == concat(".", [p.name, p.namespace])

refers(g, _, p) if startswith(g, concat(".", [p.name, p.namespace, ""]))

# names_service(h, vs_ns, p) holds when VirtualService host h (of a VirtualService in vs_ns) is
# the Service of parent p, as Istio resolves hosts: its full name, or its short name in its
# own namespace.
names_service(h, _, p) if h == sprintf("%s.%s.svc.%s", [p.name, p.namespace, lib.mesh_domain])

names_service(h, vs_ns, p) if {
	h == p.name
	vs_ns == p.namespace
}

# vs_targets are the Gateways and Services the admitted VirtualService routes, keyed as
# parent_key keys route parentRefs: {"kind", "namespace", "name", "host"} ("host" only for a
# Service), described as target_text describes a route's parent.
vs_targets[key] contains {"kind": "Gateway", "namespace": gw.namespace, "name": gw.name} if {
	lib.is_kind("VirtualService")
	some g in object.get(lib.obj.spec, "gateways", [])
	g != "mesh"
	gw := networking.gateway_ref(g, lib.namespace)
	key := concat("/", ["Gateway", gw.namespace, gw.name])
}

vs_targets[key] contains {"kind": "Service", "namespace": svc.namespace, "name": svc.name, "host": h} if {
	lib.is_kind("VirtualService")
	networking.bound_to_mesh(lib.obj)
	some h in object.get(lib.obj.spec, "hosts", [])
	svc := service_of(h)
	key := concat("/", ["Service", svc.namespace, svc.name])
}

# service_of(h) is the Service a host of the admitted VirtualService names.
service_of(h) := {"namespace": lib.namespace, "name": h} if {
	not contains(h, ".")
	h != "*"
} else := {"namespace": parts[1], "name": parts[0]} if {
	suffix := concat("", [".svc.", lib.mesh_domain])
	endswith(h, suffix)
	parts := split(trim_suffix(h, suffix), ".")
	count(parts) == 2
}

# parent_key(ref, ns) keys a route parentRef of a route in ns like vs_targets.
parent_key(ref, ns) := concat("/", ["Gateway", object.get(ref, "namespace", ns), ref.name]) if {
	object.get(ref, "group", gateway_api.group) == gateway_api.group
	object.get(ref, "kind", "Gateway") == "Gateway"
} else := concat("/", ["Service", object.get(ref, "namespace", ns), ref.name]) if {
	gateway_api.core(object.get(ref, "group", gateway_api.group))
	object.get(ref, "kind", "Gateway") == "Service"
}

# vs_host_conflicts(t, h, hostnames) holds when host h of the admitted VirtualService, routed on
# target t, is one a route with those hostnames routes there too.
vs_host_conflicts(t, h, hostnames) if {
	t.kind == "Gateway"
	overlaps(h, hostnames)
}

vs_host_conflicts(t, h, _) if {
	t.kind == "Service"
	t.host == h
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
