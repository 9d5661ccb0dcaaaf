# METADATA
# title: Two mesh VirtualServices must not claim the same host
# description: |
#   When two VirtualServices bound to the `mesh` gateway (no spec.gateways, or one listing `mesh`)
#   define the same host, sidecars merge them in an undefined order (istioctl IST0109
#   ConflictingMeshGatewayVirtualServiceHosts); they must be merged into one. Hosts are compared
#   after FQDN expansion in each VirtualService's namespace, within the same export scope
#   (exportTo unset or "*" is every namespace; "." is the VirtualService's namespace), as istioctl
#   does; a VirtualService exported to some namespaces also conflicts with one exported to every
#   namespace whose host matches its host, wildcards included. Inventory: needs VirtualService; when the inventory does not carry that kind (or holds
#   no other VirtualService) the rule stays silent.
# custom:
#   id: vs-mesh-host-conflict
#   severity: high
#   enforcement: deny
#   fix: 'Merge the VirtualServices that define the host into one, or narrow their exportTo.'
#   why: 'sidecars merge them in an undefined order (traffic)'
#   kinds: [VirtualService]
#   istioCode: IST0109
package meshguard.rules.vs_mesh_host_conflict

import data.meshguard.lib
import data.meshguard.lib.istio
import data.meshguard.lib.networking

violation contains {
	"id": "vs-mesh-host-conflict",
	"message": sprintf("VirtualService %s/%s and VirtualService %s/%s are both bound to the mesh gateway and define host %s; merge them into one VirtualService", [lib.namespace, lib.name, other_ns, other_name, full]),
	"details": {"field": sprintf("spec.hosts[%d]", [i]), "host": full, "conflictsWith": sprintf("%s/%s", [other_ns, other_name])},
} if {
	lib.is_kind("VirtualService")
	other_virtual_services
	networking.bound_to_mesh(lib.obj)
	some i, host in object.get(lib.obj.spec, "hosts", [])
	full := networking.fqdn(host, lib.namespace)
	some other in lib.with_host("VirtualService", full)
	networking.bound_to_mesh(other)
	other_ns := object.get(other.metadata, "namespace", "")
	other_name := object.get(other.metadata, "name", "")
	some other_host in object.get(other.spec, "hosts", [])
	conflict(full, scopes(lib.obj, lib.namespace), networking.fqdn(other_host, other_ns), scopes(other, other_ns))
}

# other_virtual_services holds when the inventory has a VirtualService in some namespace: without
# one, the admitted hosts are not looked up at all.
other_virtual_services if count(object.get(lib.inventory, "VirtualService", {})) > 0

# conflict holds as in istioctl's host map: the same host in a common scope, or a host exported to
# some namespaces that a host exported to every namespace matches (wildcards both ways).
conflict(host, scopes_a, host, scopes_b) if count(scopes_a & scopes_b) > 0

conflict(a, scopes_a, b, scopes_b) if {
	count({"*"} & (scopes_a | scopes_b)) == 1
	scopes_a != scopes_b
	networking.host_matches(a, b)
}

# scopes(vs, ns) is the export scope of a VirtualService in namespace ns as istioctl keys it:
# {"*"} when exported to every namespace, else its scopes (data.meshguard.lib.istio.export_scopes).
scopes(vs, ns) := istio_scopes(object.union(vs, {"kind": "VirtualService", "metadata": {"namespace": ns}}))

istio_scopes(o) := {"*"} if {
	"*" in istio.export_scopes(o)
} else := istio.export_scopes(o)
