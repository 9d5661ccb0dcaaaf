# METADATA
# title: Service and ServiceEntry hosts in use must not disappear
# description: |
#   Deleting a Service or a ServiceEntry, removing a ServiceEntry host, or removing a port, while
#   VirtualService destinations (or DestinationRules) resolve to that host only, leaves them
#   pointing at a host that leads nowhere: requests fail with 503 (what vs-destination-host and
#   vs-destination-port refuse on the VirtualService's side, istioctl IST0101). Hosts resolve as
#   the routing rules resolve them (data.meshguard.lib.routing): short names in the referrer's
#   namespace, the object visible to the referrer through exportTo. A host (or a port of it)
#   still served by another Service or ServiceEntry the referrer sees, a wildcard ServiceEntry
#   host included, is not dangling; a destination port counts only when the destination names
#   one. The finding names the referrers and their fields. Inventory: needs VirtualService or
#   DestinationRule; when the inventory carries neither the rule stays silent.
# custom:
#   id: host-in-use
#   severity: high
#   enforcement: deny
#   kinds: [Service, ServiceEntry]
#   operations: [UPDATE, DELETE]
#   istioCode: IST0101
#   fix: Point the VirtualServices and DestinationRules listed at another host or port first, or keep this one.
package meshguard.rules.host_in_use

import data.meshguard.lib
import data.meshguard.lib.istio
import data.meshguard.lib.networking
import data.meshguard.lib.references
import data.meshguard.lib.routing

violation contains references.finding("host-in-use", change_words(l), target(l), l.field, {"host": l.host, "port": l.port}, refs) if {
	some l in lost
	refs := {x.referrer |
		some x in referrers
		x.host == l.host
		l.port in {0, x.port}
		not served_elsewhere(l.host, l.port, x.scopes)
	}
	count(refs) > 0
}

checked if {
	some k in {"Service", "ServiceEntry"}
	lib.changes(k)
	some r in {"VirtualService", "DestinationRule"}
	lib.known(r)
}

change_words(l) := concat("", ["no longer serves host ", l.host]) if {
	l.port == 0
} else := concat("", ["no longer serves port ", format_int(l.port, 10), " of host ", l.host])

target(l) := concat("", ["host ", l.host]) if {
	l.port == 0
} else := concat("", ["port ", format_int(l.port, 10), " of host ", l.host])

# hosts(o) is the set of non-wildcard hosts object o (the admitted Service or ServiceEntry, in
# its namespace) serves, as {"host" (expanded), "field"}.
hosts(o) := {{"host": networking.fqdn(object.get(o.metadata, "name", ""), lib.namespace), "field": "metadata.name"}} if {
	lib.kind == "Service"
} else := {{"host": networking.fqdn(h, lib.namespace), "field": concat("", ["spec.hosts[", format_int(i, 10), "]"])} |
	some i, h in object.get(object.get(o, "spec", {}), "hosts", [])
	not networking.wildcard(h)
}

# ports(o) is the set of ports object o exposes, as {"number", "field"}.
ports(o) := {{"number": p[key], "field": concat("", ["spec.ports[", format_int(i, 10), "]"])} |
	key := object.get({"Service": "port"}, lib.kind, "number")
	some i, p in object.get(object.get(o, "spec", {}), "ports", [])
	is_number(p[key])
}

new_hosts := {h.host | some h in hosts(lib.obj)} if {
	lib.operation == "UPDATE"
} else := set()

new_ports := {p.number | some p in ports(lib.obj)} if {
	lib.operation == "UPDATE"
} else := set()

# lost lists what the request takes away, as {"host", "port" (0: the whole host), "field"}.
lost contains {"host": h.host, "port": 0, "field": h.field} if {
	checked
	some h in hosts(lib.old_obj)
	not h.host in new_hosts
}

lost contains {"host": h.host, "port": p.number, "field": p.field} if {
	checked
	some h in hosts(lib.old_obj)
	h.host in new_hosts
	some p in ports(lib.old_obj)
	not p.number in new_ports
}

lost_hosts := {l.host | some l in lost}

stored := object.union(lib.old_obj, {"kind": lib.kind, "metadata": {"namespace": lib.namespace}})

# referrers lists the VirtualService destinations and DestinationRules that resolved to a lost
# host through the stored object, as {"referrer", "host", "port" (0: none named), "scopes"}.
referrers contains {"referrer": references.referrer(vs, x.field), "host": full, "port": port, "scopes": scopes} if {
	count(lost_hosts) > 0
	some vs in references.virtual_services_to(lost_hosts)
	ns := object.get(vs.metadata, "namespace", "")
	some x in routing.destinations_of(vs)
	full := networking.fqdn(object.get(x.destination, "host", ""), ns)
	full in lost_hosts
	port := object.get(x.destination, ["port", "number"], 0)
	scopes := lookup_scopes(vs, ns)
	istio.visible_in(stored, scopes)
}

referrers contains {"referrer": references.referrer(dr, "spec.host"), "host": full, "port": 0, "scopes": scopes} if {
	count(lost_hosts) > 0
	some dr in references.destination_rules_for(lost_hosts)
	ns := object.get(dr.metadata, "namespace", "")
	full := networking.fqdn(object.get(dr.spec, "host", ""), ns)
	full in lost_hosts
	scopes := lookup_scopes(dr, ns)
	istio.visible_in(stored, scopes)
}

# The scopes a referrer looks hosts up in, as routing.resolve does: every namespace ("*"), then
# its exportTo namespaces, or its own namespace when it has no exportTo.
lookup_scopes(o, ns) := {"*"} | istio.export_scopes(object.union(o, {"metadata": {"namespace": ns}})) if {
	count(object.get(o.spec, "exportTo", [])) > 0
} else := {"*", ns}

# served_elsewhere(full, port, scopes) holds when another Service or ServiceEntry visible in
# scopes serves host full (on that port, unless port is 0).
served_elsewhere(full, port, scopes) if {
	parts := split(trim_suffix(full, networking.cluster_suffix), ".")
	endswith(full, networking.cluster_suffix)
	count(parts) == 2
	some svc in lib.items_in("Service", parts[1])
	object.get(svc.metadata, "name", "") == parts[0]
	istio.visible_in(object.union(svc, {"kind": "Service", "metadata": {"namespace": parts[1]}}), scopes)
	serves_port(port, [p.port | some p in object.get(object.get(svc, "spec", {}), "ports", [])])
}

served_elsewhere(full, port, scopes) if {
	some se in lib.items("ServiceEntry")
	ns := object.get(se.metadata, "namespace", "")
	some h in object.get(object.get(se, "spec", {}), "hosts", [])
	networking.host_subset(full, networking.fqdn(h, ns))
	istio.visible_in(object.union(se, {"kind": "ServiceEntry", "metadata": {"namespace": ns}}), scopes)
	serves_port(port, [p.number | some p in object.get(object.get(se, "spec", {}), "ports", [])])
}

serves_port(0, _)

serves_port(port, numbers) if port in numbers
