# METADATA
# title: DestinationRule must not disable TLS toward a STRICT mTLS namespace
# description: |
#   A host whose namespace requires STRICT mTLS (a selector-less PeerAuthentication in the host's
#   namespace, or, when that namespace sets no mode, in the root namespace `mesh.rootNamespace`)
#   rejects plain text, so a DestinationRule that sends it tls.mode DISABLE (at any level) makes
#   every request fail (istioctl IST0113 MTLSPolicyConflict). The host's namespace is the one of a
#   short name or a `.svc.<clusterDomain>` name; a wider cluster-local wildcard (`*.local`, `*`)
#   is judged against the root namespace. ServiceEntry hosts are not checked. Inventory: needs
#   PeerAuthentication; when the inventory does not carry that kind the rule stays silent.
# custom:
#   id: dr-mtls-conflict
#   severity: high
#   enforcement: deny
#   fix: 'Use tls.mode ISTIO_MUTUAL (or remove the tls block) toward hosts whose namespace requires STRICT mTLS.'
#   why: 'every request to the host fails (traffic)'
#   kinds: [DestinationRule]
#   istioCode: IST0113
package meshguard.rules.dr_mtls_conflict

import data.meshguard.lib
import data.meshguard.lib.networking

host := object.get(lib.obj.spec, "host", "")

scope := networking.service_namespace(host, lib.namespace) if {
	networking.service_namespace(host, lib.namespace)
} else := networking.root_namespace

strict_policies := sort([p.policy |
	some p in networking.namespace_mtls(scope)
	p.mode == "STRICT"
])

violation contains {
	"id": "dr-mtls-conflict",
	"message": sprintf("DestinationRule %s/%s sets %s.tls.mode DISABLE for host %s, but PeerAuthentication %s requires STRICT mTLS in namespace %s, so these connections will be refused", [lib.namespace, lib.name, level.field, host, concat(", ", strict_policies), scope]),
	"details": {"field": sprintf("%s.tls.mode", [level.field]), "host": host, "namespace": scope, "peerAuthentications": strict_policies},
} if {
	lib.is_kind("DestinationRule")
	lib.known("PeerAuthentication")
	networking.cluster_local(host, lib.namespace)
	not networking.service_entry_host(host, lib.namespace)
	count(strict_policies) > 0
	some level in networking.traffic_policies(lib.obj.spec)
	level.policy.tls.mode == "DISABLE"
}
