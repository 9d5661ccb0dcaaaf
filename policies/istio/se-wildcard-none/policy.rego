# METADATA
# title: External ServiceEntry with wildcard hosts must not use resolution NONE
# description: |
#   With `resolution: NONE` (also the default when resolution is unset) the proxy forwards to
#   whatever destination IP the application connected to, and matches the ServiceEntry only by
#   Host header or SNI. For a wildcard host ("*", "*.example.com") that lets any pod reach any IP
#   on the port by presenting a matching name, defeating an egress allowlist
#   (REGISTRY_ONLY). Istio's own egress examples do use wildcard + NONE (and Istio's validation
#   requires NONE for a wildcard without endpoints), so the rule is about that pass-through, not
#   the syntax: it is not reported when `addresses` pins the destination IPs/CIDRs, or for
#   `location: MESH_INTERNAL`. Route wildcard egress through an egress gateway and exempt the
#   ServiceEntry, or list the hosts. Needs no inventory.
# custom:
#   id: se-wildcard-none
#   severity: high
#   enforcement: deny
#   fix: 'Pin the destinations with spec.addresses, list the hosts instead of a wildcard, or route wildcard egress through an egress gateway.'
#   why: 'lets any pod reach any IP by presenting a matching name (security)'
#   kinds: [ServiceEntry]
package meshguard.rules.se_wildcard_none

import data.meshguard.lib

violation contains {
	"id": "se-wildcard-none",
	"message": sprintf("ServiceEntry %s/%s declares the wildcard host \"%s\" with resolution NONE and no addresses: traffic to any IP presenting a matching name passes through", [lib.namespace, lib.name, host]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": host, "resolution": "NONE"},
} if {
	lib.is_kind("ServiceEntry")
	spec := lib.obj.spec
	object.get(spec, "resolution", "NONE") == "NONE"
	object.get(spec, "location", "MESH_EXTERNAL") != "MESH_INTERNAL"
	no_addresses(spec)
	some i, host in object.get(spec, "hosts", [])
	contains(host, "*")
}

no_addresses(spec) if not spec.addresses

no_addresses(spec) if count(spec.addresses) == 0
