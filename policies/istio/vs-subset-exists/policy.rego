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

# Linear in the number of routes: each destination costs two lookups in objects built once per
# VirtualService (the subsets defined for each distinct host); host expansion, DestinationRule
# matching and the message's strings are only computed per distinct host or per finding, with
# concat (sprintf leaves the Wasm module for JavaScript).

violation contains finding(concat("", ["spec.", section, "[", format_int(i, 10), "].route[", format_int(j, 10), "].destination"]), d) if {
	checked
	some section in ["http", "tcp", "tls"]
	some i, rule in object.get(lib.obj.spec, section, [])
	some j, r in object.get(rule, "route", [])
	d := object.get(r, "destination", {})
	undefined_subset(d)
}

violation contains finding(concat("", ["spec.http[", format_int(i, 10), "].mirror"]), rule.mirror) if {
	checked
	some i, rule in object.get(lib.obj.spec, "http", [])
	is_object(rule.mirror)
	undefined_subset(rule.mirror)
}

violation contains finding(concat("", ["spec.http[", format_int(i, 10), "].mirrors[", format_int(j, 10), "].destination"]), d) if {
	checked
	some i, rule in object.get(lib.obj.spec, "http", [])
	some j, m in object.get(rule, "mirrors", [])
	d := object.get(m, "destination", {})
	undefined_subset(d)
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

undefined_subset(d) if {
	subset := object.get(d, "subset", "")
	subset != ""
	not defined_subsets[object.get(d, "host", "")][subset]
}

# Every destination of the VirtualService (routes, mirror, mirrors), as written.
destinations contains d if {
	some section in ["http", "tcp", "tls"]
	some rule in object.get(lib.obj.spec, section, [])
	some r in object.get(rule, "route", [])
	d := object.get(r, "destination", {})
}

destinations contains rule.mirror if {
	some rule in object.get(lib.obj.spec, "http", [])
	is_object(rule.mirror)
}

destinations contains m.destination if {
	some rule in object.get(lib.obj.spec, "http", [])
	some m in object.get(rule, "mirrors", [])
}

# The hosts the VirtualService routes to with a subset, each once.
subset_hosts contains object.get(d, "host", "") if {
	checked
	some d in destinations
	object.get(d, "subset", "") != ""
}

# defined_subsets[host] is the set of subset names DestinationRules define for host. Complete
# rules (object comprehensions) are evaluated once per request; a lookup in a partial object rule
# would be evaluated again for every destination.
defined_subsets := {host: names |
	some host in subset_hosts
	full := networking.fqdn(host, lib.namespace)
	names := {name |
		some ns in search_namespaces(full)
		some dr in drs_in[ns]
		networking.host_subset(full, dr.host)
		some name in dr.subsets
	}
}

# drs_in[ns] lists the DestinationRules of namespace ns as {"host" (expanded), "subsets"}, for
# the namespaces the subset hosts are searched in only.
drs_in := {ns: [{"host": networking.fqdn(object.get(dr.spec, "host", ""), ns), "subsets": {s.name | some s in object.get(dr.spec, "subsets", [])}} |
	some dr in lib.items_in("DestinationRule", ns)
] |
	some ns in searched_namespaces
	lib.inventory.DestinationRule[ns]
}

searched_namespaces := {ns |
	some host in subset_hosts
	some ns in search_namespaces(networking.fqdn(host, lib.namespace))
}

search_namespaces(full) := {lib.namespace, networking.root_namespace} | {ns | ns := networking.service_namespace(full, lib.namespace)}
