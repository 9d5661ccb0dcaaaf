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
#   kinds: [VirtualService]
#   istioCode: IST0101
package meshguard.rules.vs_subset_exists

import data.meshguard.lib
import data.meshguard.lib.networking

violation contains {
	"id": "vs-subset-exists",
	"message": sprintf("VirtualService %s/%s routes to subset %s of host %s (%s), but no DestinationRule for %s defines it", [lib.namespace, lib.name, d.subset, d.host, d.field, full]),
	"details": {"field": d.field, "host": d.host, "subset": d.subset},
} if {
	lib.is_kind("VirtualService")
	lib.known("DestinationRule")
	some d in networking.destinations(lib.obj.spec)
	d.subset != ""
	full := networking.fqdn(d.host, lib.namespace)
	not defined(full, d.subset)
}

search_namespaces(full) := {lib.namespace, networking.root_namespace} | {ns | ns := networking.service_namespace(full, lib.namespace)}

defined(full, subset) if {
	some ns in search_namespaces(full)
	some dr in lib.items_in("DestinationRule", ns)
	networking.host_subset(full, networking.fqdn(object.get(dr.spec, "host", ""), ns))
	some s in object.get(dr.spec, "subsets", [])
	s.name == subset
}
