# METADATA
# title: DestinationRule must not disable TLS toward in-mesh services
# description: |
#   tls.mode DISABLE sends plain text. Toward a service of the mesh it turns off Istio mTLS (and
#   breaks outright under STRICT PeerAuthentication), so it is denied at every level:
#   spec.trafficPolicy, its portLevelSettings, each subset's trafficPolicy and its
#   portLevelSettings. The host is in-mesh when it is cluster-local (a short name, a name under
#   .svc.<clusterDomain>, or a wildcard such as `*.local` covering such names), no ServiceEntry
#   outside the mesh (location MESH_EXTERNAL, the default) declares it, and its namespace is
#   enrolled in the mesh (injection, revision or ambient label). A namespace the inventory does
#   not know (no Namespace informer, a namespace not created yet, or `meshguard check` without
#   the Namespace document) counts as in the mesh unless the param `unknownNamespaceInMesh` is
#   false: the rule fails closed. A known namespace without a mesh label is not in the mesh, and
#   DISABLE toward it is accepted. When ServiceEntry is not known, no host is treated as a
#   ServiceEntry host.
# custom:
#   id: dr-tls-disable-in-mesh
#   severity: high
#   enforcement: deny
#   fix: 'Remove tls.mode DISABLE (the mutating webhook defaults in-mesh hosts to ISTIO_MUTUAL), or set the param `unknownNamespaceInMesh: false` if the host''s namespace is outside the mesh but unknown to meshguard.'
#   why: 'sends plain text inside the mesh (security)'
#   kinds: [DestinationRule]
package meshguard.rules.dr_tls_disable_in_mesh

import data.meshguard.lib
import data.meshguard.lib.networking

host := object.get(lib.obj.spec, "host", "")

violation contains {
	"id": "dr-tls-disable-in-mesh",
	"message": sprintf("DestinationRule %s/%s sets %s.tls.mode DISABLE for in-mesh host %s; traffic to mesh services must use mTLS (ISTIO_MUTUAL or unset)", [lib.namespace, lib.name, level.field, host]),
	"details": {"field": sprintf("%s.tls.mode", [level.field]), "mode": "DISABLE", "host": host, "port": level.port, "subset": level.subset},
} if {
	lib.is_kind("DestinationRule")
	networking.in_mesh_host(host, lib.namespace, lib.param("dr-tls-disable-in-mesh", "unknownNamespaceInMesh", true))
	some level in networking.traffic_policies(lib.obj.spec)
	level.policy.tls.mode == "DISABLE"
}
