# METADATA
# title: DestinationRule subsets in use must not disappear
# description: |
#   Deleting a DestinationRule, or removing a subset from it (or changing its host), while a
#   VirtualService routes to that subset leaves the VirtualService pointing at a subset no
#   DestinationRule defines: Envoy has no cluster for it and requests fail with 503 (what
#   vs-subset-exists refuses on the VirtualService's side, istioctl IST0101). A subset still
#   defined for that host by another DestinationRule the VirtualService can use (its own
#   namespace, the host's namespace, the root namespace; a wildcard host covers the names under
#   it) is not dangling. The finding names the VirtualServices and their fields. Inventory:
#   needs VirtualService; when the inventory does not carry that kind the rule stays silent.
# custom:
#   id: dr-subset-in-use
#   severity: high
#   enforcement: deny
#   kinds: [DestinationRule]
#   operations: [UPDATE, DELETE]
#   istioCode: IST0101
#   fix: Route the VirtualServices listed to another subset first, or keep the subset in the DestinationRule.
package meshguard.rules.dr_subset_in_use

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.references
import data.meshguard.lib.routing

violation contains references.finding(
	"dr-subset-in-use",
	concat("", ["no longer defines subset ", s.name]),
	concat("", ["subset ", s.name, " of host ", old_host]),
	s.field, {"host": old_host, "subset": s.name},
	refs,
) if {
	checked
	some s in removed
	refs := {r |
		some x in routes_to[s.name]
		not defined_elsewhere(x.host, s.name, x.namespace)
		r := x.referrer
	}
	count(refs) > 0
}

checked if {
	lib.changes("DestinationRule")
	lib.known("VirtualService")
}

old_host := networking.fqdn(object.get(lib.old_obj.spec, "host", ""), lib.namespace)

# The subsets the stored DestinationRule defines and the request takes away, as
# {"name", "field"} (field: where the stored object defines it).
removed contains {"name": s.name, "field": concat("", ["spec.subsets[", format_int(i, 10), "]"])} if {
	checked
	some i, s in object.get(lib.old_obj.spec, "subsets", [])
	not kept[s.name]
}

kept[name] if {
	lib.operation == "UPDATE"
	networking.fqdn(object.get(lib.obj.spec, "host", ""), lib.namespace) == old_host
	some s in object.get(lib.obj.spec, "subsets", [])
	name := s.name
}

removed_names := {s.name | some s in removed}

# routes_to[subset] lists the VirtualService destinations that the stored DestinationRule serves
# with a removed subset, as {"referrer", "host" (expanded), "namespace" (the VirtualService's)}.
routes_to[subset] contains {"referrer": references.referrer(vs, x.field), "host": full, "namespace": ns} if {
	count(removed_names) > 0
	some vs in references.virtual_services_to({old_host})
	ns := object.get(vs.metadata, "namespace", "")
	some x in routing.destinations_of(vs)
	subset := object.get(x.destination, "subset", "")
	subset in removed_names
	full := networking.fqdn(object.get(x.destination, "host", ""), ns)
	networking.host_subset(full, old_host)
	lib.namespace in search_namespaces(full, ns)
}

# The namespaces whose DestinationRules a VirtualService in namespace ns can use for host full.
search_namespaces(full, ns) := {ns, networking.root_namespace} | {n | n := networking.service_namespace(full, ns)}

# defined_elsewhere(full, subset, ns) holds when another DestinationRule usable from namespace ns
# defines subset for host full.
defined_elsewhere(full, subset, ns) if {
	some n in search_namespaces(full, ns)
	some dr in lib.items_in("DestinationRule", n)
	networking.host_subset(full, networking.fqdn(object.get(dr.spec, "host", ""), n))
	some s in object.get(dr.spec, "subsets", [])
	s.name == subset
}
