# METADATA
# title: External ServiceEntry hosts must be approved
# description: |
#   Every host of an external ServiceEntry (location MESH_EXTERNAL, the default) must match one of
#   the globs in param `allowedHosts` ("." separates labels: "*.example.com" matches one label,
#   "**.example.com" any number). The list is an option: empty (the default) accepts any host.
#   Independently of the list, an external ServiceEntry must not claim a cluster-local service
#   name (`<svc>.<ns>.svc.<clusterDomain>`): declaring an in-mesh service as MESH_EXTERNAL turns
#   off mTLS and mesh identity towards it and can shadow another namespace's service; use
#   `location: MESH_INTERNAL`. Needs no inventory.
# custom:
#   id: se-host-allowlist
#   severity: high
#   enforcement: deny
#   fix: 'Use a host matching the param `allowedHosts` (ask the platform team to add yours), and declare in-mesh services with `location: MESH_INTERNAL`.'
#   why: 'unapproved egress, or mTLS turned off toward an in-mesh service (security)'
#   kinds: [ServiceEntry]
package meshguard.rules.se_host_allowlist

import data.meshguard.lib

allowed := lib.param("se-host-allowlist", "allowedHosts", [])

external if object.get(lib.obj.spec, "location", "MESH_EXTERNAL") != "MESH_INTERNAL"

violation contains {
	"id": "se-host-allowlist",
	"message": sprintf("ServiceEntry %s/%s declares the external host \"%s\", which matches none of the allowed hosts %s", [lib.namespace, lib.name, host, json.marshal(allowed)]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": host, "allowed": allowed},
} if {
	lib.is_kind("ServiceEntry")
	external
	count(allowed) > 0
	some i, host in object.get(lib.obj.spec, "hosts", [])
	not host_allowed(host)
}

violation contains {
	"id": "se-host-allowlist",
	"message": sprintf("ServiceEntry %s/%s declares the cluster-local host \"%s\" as MESH_EXTERNAL; in-mesh services must use location MESH_INTERNAL", [lib.namespace, lib.name, host]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": host, "location": "MESH_EXTERNAL"},
} if {
	lib.is_kind("ServiceEntry")
	external
	some i, host in object.get(lib.obj.spec, "hosts", [])
	endswith(lower(host), sprintf(".svc.%s", [lib.mesh_domain]))
}

host_allowed(host) if {
	some pattern in allowed
	glob.match(pattern, ["."], host)
}
