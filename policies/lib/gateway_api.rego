# METADATA
# title: Gateway API semantics
# description: |
#   The Kubernetes Gateway API (gateway.networking.k8s.io) as the specification and Istio's
#   implementation define it: reference defaults, how a route attaches to a Gateway listener
#   (sectionName, port, allowedRoutes kinds and namespaces, hostname intersection), backend
#   references and the ReferenceGrants that allow references across namespaces. Gateways of the
#   Gateway API are the inventory kind KubernetesGateway (src/inventory/kinds.ts).
package meshguard.lib.gateway_api

import data.meshguard.lib
import data.meshguard.lib.istio

# group is the API group of the Gateway API.
group := "gateway.networking.k8s.io"

# route_kinds are the route kinds Istio implements.
route_kinds := {"HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute"}

# hostname_kinds are the route kinds that carry spec.hostnames.
hostname_kinds := {"HTTPRoute", "GRPCRoute", "TLSRoute"}

# is_route holds when the admitted object is a Gateway API route being written.
is_route if {
	lib.writes
	object.get(input.request.kind, "group", "") == group
	lib.kind in route_kinds
}

# is_gateway holds when the admitted object is a Gateway API Gateway being written.
is_gateway if {
	lib.writes
	object.get(input.request.kind, "group", "") == group
	input.request.kind.kind == "Gateway"
}

# api_kind is the admitted object's kind as its API names it ("Gateway", "HTTPRoute"), for messages.
api_kind := input.request.kind.kind

# is_listener_owner holds when the admitted object is a Gateway or ListenerSet being written: the
# kinds that declare listeners.
is_listener_owner if is_gateway

is_listener_owner if {
	lib.writes
	object.get(input.request.kind, "group", "") == group
	input.request.kind.kind == "ListenerSet"
}

# listeners lists the admitted Gateway's or ListenerSet's listeners with their index.
listeners := [{"index": i, "listener": l} |
	is_listener_owner
	some i, l in object.get(lib.obj.spec, "listeners", [])
]

# core(g) holds for the core API group, which references spell "" or "core".
core(g) if g in {"", "core"}

# -----------------------------------------------------------------------------------------------
# Parent references

# parents lists the admitted route's spec.parentRefs (see parents_of).
parents := parents_of(lib.obj, lib.namespace) if is_route

# parents_of(route, ns) lists the spec.parentRefs of a route in namespace ns with the
# specification's defaults: group gateway.networking.k8s.io, kind Gateway, the route's namespace;
# sectionName "" and port 0 when unset.
parents_of(route, ns) := [{
	"index": i,
	"group": object.get(ref, "group", group),
	"kind": object.get(ref, "kind", "Gateway"),
	"namespace": object.get(ref, "namespace", ns),
	"name": object.get(ref, "name", ""),
	"sectionName": object.get(ref, "sectionName", ""),
	"port": object.get(ref, "port", 0),
} |
	some i, ref in object.get(object.get(route, "spec", {}), "parentRefs", [])
]

# gateway(ns, name) is the Gateway API Gateway ns/name of the inventory.
gateway(ns, name) := lib.inventory.KubernetesGateway[ns][name]

# listener_set(ns, name) is the ListenerSet ns/name of the inventory.
listener_set(ns, name) := lib.inventory.ListenerSet[ns][name]

# parent_object(p) is the Gateway or ListenerSet a parent reference names, when it exists.
parent_object(p) := gateway(p.namespace, p.name) if {
	p.group == group
	p.kind == "Gateway"
} else := listener_set(p.namespace, p.name) if {
	p.group == group
	p.kind == "ListenerSet"
}

# parent_inventory_kind(p) is the inventory kind of a Gateway or ListenerSet parent reference.
parent_inventory_kind(p) := "KubernetesGateway" if {
	p.group == group
	p.kind == "Gateway"
} else := "ListenerSet" if {
	p.group == group
	p.kind == "ListenerSet"
}

# candidates(p, listeners) are the listeners a parent reference selects: the one its sectionName
# names and those on its port, or every listener when it sets neither.
candidates(p, listeners) := [l |
	some l in listeners
	p.sectionName in {"", object.get(l, "name", "")}
	p.port in {0, object.get(l, "port", 0)}
]

# -----------------------------------------------------------------------------------------------
# Listener admission (allowedRoutes, hostnames)

# default_kinds(protocol) are the route kinds Istio accepts on a listener of that protocol when
# allowedRoutes.kinds is empty (TLS: TLSRoute for Passthrough and Terminate, TCPRoute for
# Terminate). Undefined for protocols Istio assigns no route kind to (HBONE of waypoints).
default_kinds("HTTP") := {"HTTPRoute", "GRPCRoute"}

default_kinds("HTTPS") := {"HTTPRoute", "GRPCRoute"}

default_kinds("TLS") := {"TLSRoute", "TCPRoute"}

default_kinds("TCP") := {"TCPRoute"}

default_kinds("UDP") := {"UDPRoute"}

# kind_problem(l, k) says why listener l does not admit routes of kind k; undefined when it does.
kind_problem(l, k) := sprintf("allowedRoutes.kinds admits only %s", [concat(", ", sort(allowed))]) if {
	configured := object.get(object.get(l, "allowedRoutes", {}), "kinds", [])
	count(configured) > 0
	allowed := {rk.kind | some rk in configured; object.get(rk, "group", group) == group}
	not k in allowed
} else := sprintf("protocol %s carries only %s", [protocol, concat(", ", sort(allowed))]) if {
	count(object.get(object.get(l, "allowedRoutes", {}), "kinds", [])) == 0
	protocol := object.get(l, "protocol", "")
	allowed := default_kinds(protocol)
	not k in allowed
}

# namespace_problem(l, gw_ns, ns) says why listener l of a Gateway in gw_ns does not admit routes
# of namespace ns (allowedRoutes.namespaces, default from: Same); undefined when it does, and
# when the Selector cannot be judged because the inventory does not have Namespace ns.
namespace_problem(l, gw_ns, ns) := sprintf("allowedRoutes.namespaces.from is Same and the route is not in namespace %s", [gw_ns]) if {
	from_of(l) == "Same"
	ns != gw_ns
} else := "allowedRoutes.namespaces.from is None" if {
	from_of(l) == "None"
} else := sprintf("allowedRoutes.namespaces.selector does not select namespace %s", [ns]) if {
	from_of(l) == "Selector"
	lib.namespace_known(ns)
	selector := object.get(object.get(object.get(l, "allowedRoutes", {}), "namespaces", {}), "selector", {})
	not istio.selects(selector, namespace_labels(ns))
}

from_of(l) := object.get(object.get(object.get(l, "allowedRoutes", {}), "namespaces", {}), "from", "Same")

# namespace_labels(ns) are the labels of Namespace ns with the kubernetes.io/metadata.name label
# the API server sets on every namespace.
namespace_labels(ns) := object.union(lib.namespace_labels(ns), {"kubernetes.io/metadata.name": ns})

# hostname_problem(l, k, hostnames) says why no hostname of a route of kind k intersects the
# hostname of listener l; undefined when they intersect or either side sets none.
hostname_problem(l, k, hostnames) := sprintf("listener hostname %s matches none of the route's hostnames", [h]) if {
	k in hostname_kinds
	h := object.get(l, "hostname", "")
	h != ""
	count(hostnames) > 0
	not any_intersects(h, hostnames)
}

any_intersects(h, hostnames) if {
	some r in hostnames
	intersects(h, r)
}

# intersects(a, b) holds when Gateway API hostnames a and b match a common host: equal, or a
# wildcard "*.suffix" and a host with more labels ending in ".suffix", or two wildcards one of
# whose suffixes ends with the other's.
intersects(a, a)

intersects(a, b) if {
	startswith(a, "*.")
	not startswith(b, "*.")
	endswith(b, substring(a, 1, -1))
}

intersects(a, b) if {
	startswith(b, "*.")
	not startswith(a, "*.")
	endswith(a, substring(b, 1, -1))
}

intersects(a, b) if {
	startswith(a, "*.")
	startswith(b, "*.")
	wildcards_overlap(substring(a, 1, -1), substring(b, 1, -1))
}

wildcards_overlap(x, y) if endswith(x, y)

wildcards_overlap(x, y) if endswith(y, x)

# listener_problems(l, gw_ns) are the reasons listener l of a parent in gw_ns rejects the
# admitted route (empty when it accepts it).
listener_problems(l, gw_ns) := array.concat(
	array.concat([p | p := kind_problem(l, lib.kind)], [p | p := namespace_problem(l, gw_ns, lib.namespace)]),
	[p | p := hostname_problem(l, lib.kind, object.get(lib.obj.spec, "hostnames", []))],
)

# -----------------------------------------------------------------------------------------------
# Backend references and ReferenceGrants

# backend_refs lists the admitted route's backendRefs with their field path and the
# specification's defaults (group "", kind Service, the route's namespace).
backend_refs := [{
	"field": sprintf("spec.rules[%d].backendRefs[%d]", [i, j]),
	"group": object.get(b, "group", ""),
	"kind": object.get(b, "kind", "Service"),
	"namespace": object.get(b, "namespace", lib.namespace),
	"name": object.get(b, "name", ""),
	"port": object.get(b, "port", 0),
	"weight": object.get(b, "weight", 1),
} |
	is_route
	some i, rule in object.get(lib.obj.spec, "rules", [])
	some j, b in object.get(rule, "backendRefs", [])
]

# granted(from_kind, from_ns, to_group, to_kind, to_ns, to_name) holds when a ReferenceGrant in
# to_ns lets objects of from_kind in from_ns refer to the target (to_name "" for any name).
granted(from_kind, from_ns, to_group, to_kind, to_ns, to_name) if {
	some grant in lib.items_in("ReferenceGrant", to_ns)
	some f in object.get(grant.spec, "from", [])
	object.get(f, "group", "") == group
	f.kind == from_kind
	f.namespace == from_ns
	some t in object.get(grant.spec, "to", [])
	same_group(object.get(t, "group", ""), to_group)
	t.kind == to_kind
	object.get(t, "name", "") in {"", to_name}
}

same_group(a, b) if a == b

same_group(a, b) if {
	core(a)
	core(b)
}
