# METADATA
# title: Route parentRefs must attach to a Gateway listener or a Service
# description: |
#   Every parentRef of an HTTPRoute, GRPCRoute, TCPRoute or TLSRoute must attach, as the Gateway
#   API specification and Istio decide it (Accepted=False otherwise, and the route configures
#   nothing): the Gateway or ListenerSet exists (for mesh routing, the Service or ServiceEntry);
#   its sectionName and port name a listener (of a Service: a port name and number); and one of
#   the listeners it selects admits the
#   route: allowedRoutes.kinds (by default what the listener's protocol carries: HTTP and HTTPS
#   HTTPRoute and GRPCRoute, TLS TLSRoute and TCPRoute, TCP TCPRoute), allowedRoutes.namespaces
#   (from Same by default, All, or a Selector over the Namespace's labels) and hostnames (the
#   route's hostnames intersect the listener's hostname, wildcards included). Inventory: needs
#   KubernetesGateway (ListenerSet, Service, ServiceEntry for those parents); a missing parent is
#   reported only when the inventory covers its namespace, and a Selector only when it has the
#   Namespace.
# custom:
#   id: route-parent-attach
#   api: gateway-api
#   severity: high
#   enforcement: deny
#   kinds: [HTTPRoute, GRPCRoute, TCPRoute, TLSRoute]
#   fix: Point the parentRef at an existing Gateway listener that admits this route's kind, namespace and hostnames, or change the listener's allowedRoutes or hostname to admit it.
package meshguard.rules.route_parent_attach

import data.meshguard.lib
import data.meshguard.lib.gateway_api

# A Gateway or ListenerSet that does not exist.
violation contains finding(p, sprintf("spec.parentRefs[%d].name", [p.index]), sprintf("%s %s/%s does not exist", [p.kind, p.namespace, p.name])) if {
	some p in gateway_api.parents
	kind := gateway_api.parent_inventory_kind(p)
	lib.known(kind)
	lib.covers(p.namespace, {kind})
	not gateway_api.parent_object(p)
}

# A Service or ServiceEntry (mesh routing) that does not exist.
violation contains finding(p, sprintf("spec.parentRefs[%d].name", [p.index]), sprintf("%s %s/%s does not exist", [p.kind, p.namespace, p.name])) if {
	some p in gateway_api.parents
	kind := mesh_parent_kind(p)
	lib.known(kind)
	lib.covers(p.namespace, {kind})
	not lib.inventory[kind][p.namespace][p.name]
}

# A Service parent whose port the Service does not expose.
violation contains finding(p, sprintf("spec.parentRefs[%d].port", [p.index]), sprintf("Service %s/%s has no port %d", [p.namespace, p.name, p.port])) if {
	some p in gateway_api.parents
	mesh_parent_kind(p) == "Service"
	svc := lib.inventory.Service[p.namespace][p.name]
	p.port != 0
	not p.port in {port.port | some port in object.get(object.get(svc, "spec", {}), "ports", [])}
}

# A Service parent whose sectionName names none of the Service's ports (GAMMA: the section of a
# Service is a port name).
violation contains finding(p, sprintf("spec.parentRefs[%d].sectionName", [p.index]), sprintf("Service %s/%s has no port named %s", [p.namespace, p.name, p.sectionName])) if {
	some p in gateway_api.parents
	mesh_parent_kind(p) == "Service"
	svc := lib.inventory.Service[p.namespace][p.name]
	p.sectionName != ""
	not p.sectionName in {object.get(port, "name", "") | some port in object.get(object.get(svc, "spec", {}), "ports", [])}
}

# A sectionName or port that names no listener.
violation contains finding(p, field, sprintf("%s %s/%s has no listener %s", [p.kind, p.namespace, p.name, wanted])) if {
	some p in gateway_api.parents
	parent := gateway_api.parent_object(p)
	count(gateway_api.candidates(p, object.get(parent.spec, "listeners", []))) == 0
	[field, wanted] := listener_selector(p)
}

# Listeners that exist, none of which admits the route.
violation contains finding(p, sprintf("spec.parentRefs[%d]", [p.index]), sprintf("no listener of %s %s/%s admits it (%s)", [p.kind, p.namespace, p.name, concat("; ", reasons)])) if {
	some p in gateway_api.parents
	parent := gateway_api.parent_object(p)
	listeners := gateway_api.candidates(p, object.get(parent.spec, "listeners", []))
	count(listeners) > 0
	reasons := [sprintf("listener %s: %s", [object.get(l, "name", ""), concat(", ", problems)]) |
		some l in listeners
		problems := gateway_api.listener_problems(l, p.namespace)
	]
	every l in listeners {
		count(gateway_api.listener_problems(l, p.namespace)) > 0
	}
}

mesh_parent_kind(p) := "Service" if {
	gateway_api.core(p.group)
	p.kind == "Service"
} else := "ServiceEntry" if {
	p.group == "networking.istio.io"
	p.kind == "ServiceEntry"
}

listener_selector(p) := [sprintf("spec.parentRefs[%d].sectionName", [p.index]), sprintf("named %s", [p.sectionName])] if {
	p.sectionName != ""
	p.port == 0
} else := [sprintf("spec.parentRefs[%d].port", [p.index]), sprintf("on port %d", [p.port])] if {
	p.sectionName == ""
	p.port != 0
} else := [sprintf("spec.parentRefs[%d]", [p.index]), sprintf("named %s on port %d", [p.sectionName, p.port])] if {
	p.sectionName != ""
	p.port != 0
}

finding(p, field, why) := {
	"id": "route-parent-attach",
	"message": sprintf("%s %s/%s does not attach to parentRefs[%d] (%s %s/%s): %s", [gateway_api.api_kind, lib.namespace, lib.name, p.index, p.kind, p.namespace, p.name, why]),
	"details": {"field": field, "parent": {"kind": p.kind, "namespace": p.namespace, "name": p.name}},
}
