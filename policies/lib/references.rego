# METADATA
# title: Referential integrity helpers
# description: |
#   For the rules that judge an UPDATE or DELETE of an object other objects refer to (a
#   DestinationRule's subsets, a Gateway, a Service or ServiceEntry host, a Secret, a waypoint):
#   who refers to it, named as "<kind> <namespace>/<name> (<field>)", and the finding that lists
#   them, at most max_listed of them by name ("and N more" for the rest). The stored objects come
#   from the inventory through data.meshguard.lib; the object under change is lib.old_obj (the
#   stored version) and, on UPDATE, lib.obj (the new one).
package meshguard.lib.references

import data.meshguard.lib

# max_listed is how many referrers a message names; the rest are counted ("and 3 more").
max_listed := 5

# referrer(o, field) is {"kind", "namespace", "name", "field"} of object o referring through field.
referrer(o, field) := {
	"kind": object.get(o, "kind", ""),
	"namespace": object.get(o.metadata, "namespace", ""),
	"name": object.get(o.metadata, "name", ""),
	"field": field,
}

# describe(r) prints a referrer: "VirtualService prod/reviews (spec.http[0].route[1].destination)";
# a cluster-scoped referrer (a Namespace) has no "namespace/".
describe(r) := concat("", [r.kind, " ", r.name, " (", r.field, ")"]) if {
	r.namespace == ""
} else := concat("", [r.kind, " ", r.namespace, "/", r.name, " (", r.field, ")"])

# listed(refs) names the referrers of set refs in a stable order, the first max_listed of them,
# then "and N more".
listed(refs) := concat(", ", names) if {
	names := sort([describe(r) | some r in refs])
	count(names) <= max_listed
} else := concat("", [concat(", ", array.slice(names, 0, max_listed)), " and ", format_int(count(names) - max_listed, 10), " more"]) if {
	names := sort([describe(r) | some r in refs])
}

# shown(refs) is the referrers of set refs that listed(refs) names, for a violation's details.
shown(refs) := [by_name[n] | some n in array.slice(sort([d | some d, _ in by_name]), 0, max_listed)] if {
	by_name := {describe(r): r | some r in refs}
}

# change is how the message states the request: "is deleted" on DELETE, else the given words.
change(updated) := "is deleted" if {
	lib.operation == "DELETE"
} else := updated

# finding(id, change_words, target, field, extra, refs) is the violation of rule id for the
# referrers refs left dangling: "<Kind> <ns>/<name> <change>, but <target> is still referenced
# by <referrers>". field is the field of the changed object the referrers depend on; extra are
# further details.
finding(id, change_words, target, field, extra, refs) := {
	"id": id,
	"message": concat("", [
		input.request.kind.kind, " ", lib.namespace, "/", lib.name, " ", change(change_words), ", but ", target,
		" is still referenced by ", listed(refs),
	]),
	"details": object.union(extra, {"changedField": field, "referrers": shown(refs), "referrerCount": count(refs)}),
}

# virtual_services_to(hosts) is a set of the inventory's VirtualServices (the admitted object
# excepted) holding every one with a destination that can expand to one of hosts (expanded, no
# wildcard): a host written as it is or as its short name (the VirtualService index's
# destinations, and its hosts for a destination among the VirtualService's own hosts:
# src/policy/inventory-index.ts). With a wildcard among hosts, or without the index: every
# VirtualService. Callers check the destinations themselves.
virtual_services_to(hosts) := {vs |
	some full in hosts
	some key in ({full} | lib.short_forms(full))
	some part in ["destinations", "hosts"]
	some ref in object.get(lib.index, ["VirtualService", part, key], [])
	vs := lib.inventory.VirtualService[ref[0]][ref[1]]
	not lib.same_object(vs)
} if {
	lib.indexed
	every h in hosts {
		is_string(h)
		not startswith(h, "*")
	}
} else := {vs | some vs in lib.items("VirtualService")}

# virtual_services_with_gateway(key) is a set of the inventory's VirtualServices (the admitted
# object excepted) holding every one whose spec.gateways names Gateway key ({"namespace",
# "name"}, as networking.gateway_ref reads a reference). Without the index: every VirtualService.
# Callers check the references themselves.
virtual_services_with_gateway(key) := {vs |
	some ref in object.get(lib.index, ["VirtualService", "gateways", key.namespace, key.name], [])
	vs := lib.inventory.VirtualService[ref[0]][ref[1]]
	not lib.same_object(vs)
} if {
	lib.indexed
} else := {vs | some vs in lib.items("VirtualService")}

# destination_rules_for(hosts) is a set of the inventory's DestinationRules (the admitted object
# excepted) holding every one whose spec.host can expand to one of hosts (expanded, no wildcard):
# lib.with_host. With a wildcard among hosts, or without the index: every DestinationRule.
# Callers check the hosts themselves.
destination_rules_for(hosts) := {dr |
	some full in hosts
	some dr in lib.with_host("DestinationRule", full)
} if {
	lib.indexed
	every h in hosts {
		is_string(h)
		not startswith(h, "*")
	}
} else := {dr | some dr in lib.items("DestinationRule")}
