# METADATA
# title: VirtualService subsets must be defined by a DestinationRule
# description: |
#   Every destination subset of a VirtualService (http, tcp and tls route destinations, http
#   mirror and mirrors) must be defined by a DestinationRule for that host; otherwise Envoy has no
#   cluster for it and requests fail with 503 (istioctl IST0101 ReferencedResourceNotFound). Hosts
#   are compared after FQDN expansion (a short name in the VirtualService's namespace, a
#   DestinationRule's short host in the DestinationRule's namespace; a wildcard DestinationRule
#   host covers the names under it). The DestinationRule may live in the VirtualService's
#   namespace, the host's namespace or the root namespace. Inventory: needs DestinationRule;
#   when the inventory does not carry that kind (a cache miss, or `meshguard check` without any
#   DestinationRule) the rule stays silent.
# custom:
#   id: vs-subset-exists
#   severity: high
#   enforcement: deny
#   fix: 'Add the subset to a DestinationRule for the host (in this namespace, the host''s namespace or the root namespace), or route to a subset that exists.'
#   why: 'requests routed to the subset fail with 503 (traffic)'
#   kinds: [VirtualService]
#   istioCode: IST0101
package meshguard.rules.vs_subset_exists

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing

# Linear in the routes and in the DestinationRules searched: each distinct [host, subset] pair is
# judged once, by one set lookup for the DestinationRules of an exact host and a scan of the
# wildcard ones only; the destinations are walked again to name their fields only when some pair
# is missing. Strings are built with concat (sprintf leaves the Wasm module for JavaScript).

violation contains finding(routing.destination_field(x), x.destination) if {
	count(missing) > 0
	some x in routing.destination_list
	missing[[object.get(x.destination, "host", ""), object.get(x.destination, "subset", "")]]
}

checked if {
	lib.is_kind("VirtualService")
	lib.known("DestinationRule")
}

finding(field, d) := {
	"id": "vs-subset-exists",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " routes to subset ", d.subset, " of host ", host,
		" (", field, "), but no DestinationRule for ", networking.fqdn(host, lib.namespace), " defines it",
	]),
	"details": {"field": field, "host": host, "subset": d.subset},
} if {
	host := object.get(d, "host", "")
}

# The [host, subset] pairs (host as written) the VirtualService routes to with a subset, each once.
subset_refs contains [object.get(x.destination, "host", ""), subset] if {
	checked
	some x in routing.destination_list
	subset := object.get(x.destination, "subset", "")
	subset != ""
}

# missing holds the pairs of subset_refs no DestinationRule defines: those no exact host defines,
# less those a wildcard host defines (set operations, not a function call per pair).
missing := (subset_refs - exact_refs) - wildcard_refs

exact_refs := {[host, subset] |
	some [host, subset] in subset_refs
	exact_subsets[[searched[host].full, subset]]
}

wildcard_refs := {[host, subset] |
	count(wildcard_drs) > 0
	some [host, subset] in subset_refs
	some ns in searched[host].namespaces
	some dr in wildcard_drs
	dr.namespace == ns
	networking.host_subset(searched[host].full, dr.host)
	subset in dr.subsets
}

# searched[host] is {"full": host expanded in the VirtualService's namespace, "namespaces": where a
# DestinationRule for it may live}, for each distinct subset host.
searched := {host: {"full": full, "namespaces": search_namespaces(full)} |
	some host in {host | some [host, _] in subset_refs}
	full := networking.fqdn(host, lib.namespace)
}

# exact_subsets holds [host (expanded), subset name] for every subset of a DestinationRule of the
# searched namespaces that counts for its own host: a host that is not a wildcard covers only
# itself (networking.host_subset), so one lookup answers for it, and a DestinationRule counts
# for a host when it lives in one of search_namespaces(host), which for its own host can be
# decided once per DestinationRule.
exact_subsets := {[dr.host, name] |
	some ns, drs in drs_in
	some dr in drs
	counts_for(ns, dr.host)
	some name in dr.subsets
}

# counts_for(ns, full) holds when a DestinationRule of namespace ns counts for host full: ns is
# one of search_namespaces(full).
counts_for(ns, full) if {
	ns in {lib.namespace, networking.root_namespace}
} else if {
	ns == networking.service_namespace(full, lib.namespace)
}

# wildcard_drs lists the DestinationRules of the searched namespaces whose host is a wildcard.
wildcard_drs := [object.union(dr, {"namespace": ns}) |
	some ns, drs in drs_in
	some dr in drs
	networking.wildcard(dr.host)
]

# drs_in[ns] lists the DestinationRules of namespace ns as {"host" (expanded), "subsets"}, for
# the namespaces the subset hosts are searched in only.
drs_in := {ns: [{"host": networking.fqdn(object.get(dr.spec, "host", ""), ns), "subsets": {s.name | some s in object.get(dr.spec, "subsets", [])}} |
	some dr in lib.items_in("DestinationRule", ns)
] |
	some ns in searched_namespaces
	lib.inventory.DestinationRule[ns]
}

searched_namespaces := {ns |
	some s in searched
	some ns in s.namespaces
}

search_namespaces(full) := {lib.namespace, networking.root_namespace} | {ns | ns := networking.service_namespace(full, lib.namespace)}
