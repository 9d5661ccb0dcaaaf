# METADATA
# title: VirtualService must not claim another namespace's services
# description: |
#   A VirtualService host that names a cluster-local service of another namespace (e.g.
#   `reviews.other.svc.cluster.local`, or `*.other.svc.cluster.local`, from namespace `prod`)
#   overrides that team's routing for every client the VirtualService is exported to: host
#   hijacking. Short names resolve to the VirtualService's own namespace and are fine, as are
#   hosts outside the cluster domain. Namespaces allowed to route for others (e.g. a platform
#   namespace) go in the param `allowedNamespaces`. No inventory is needed.
# custom:
#   id: vs-host-hijack
#   severity: medium
#   enforcement: warn
#   fix: 'Route only hosts of this namespace (short names or `<svc>.<this-namespace>.svc...`), or have the namespace added to the param `allowedNamespaces`.'
#   why: 'another team should review the takeover before it is denied'
#   kinds: [VirtualService]
package meshguard.rules.vs_host_hijack

import data.meshguard.lib
import data.meshguard.lib.networking

violation contains {
	"id": "vs-host-hijack",
	"message": sprintf("VirtualService %s/%s claims host %s (spec.hosts[%d]) of namespace %s; a namespace should only route its own services", [lib.namespace, lib.name, host, i, owner]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": host, "hostNamespace": owner},
} if {
	lib.is_kind("VirtualService")
	not lib.namespace in lib.param("vs-host-hijack", "allowedNamespaces", [])
	some i, host in object.get(lib.obj.spec, "hosts", [])
	owner := networking.service_namespace(host, lib.namespace)
	owner != lib.namespace
}
