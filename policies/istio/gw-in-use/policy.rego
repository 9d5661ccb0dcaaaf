# METADATA
# title: Gateways in use must not be deleted
# description: |
#   Deleting an Istio Gateway, or a Kubernetes Gateway (gateway.networking.k8s.io), while
#   VirtualServices bind to it through spec.gateways (`name`, `ns/name` or the legacy
#   `name.ns.svc.<domain>` forms, resolved as vs-gateway-exists resolves them) leaves those
#   VirtualServices bound to a gateway that does not exist: their routes configure nothing and
#   the host stops being served (what vs-gateway-exists refuses on the VirtualService's side,
#   istioctl IST0101). A VirtualService still served by the other kind of Gateway of the same
#   namespace and name is not dangling. The finding names the VirtualServices and their fields.
#   Inventory: needs VirtualService; when the inventory does not carry that kind the rule stays
#   silent.
# custom:
#   id: gw-in-use
#   severity: high
#   enforcement: deny
#   kinds: [Gateway, KubernetesGateway]
#   operations: [DELETE]
#   istioCode: IST0101
#   fix: Remove the Gateway from the spec.gateways of the VirtualServices listed, or bind them to another Gateway, before deleting it.
package meshguard.rules.gw_in_use

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.references
import data.meshguard.lib.routing

violation contains references.finding(
	"gw-in-use", "",
	concat("", ["gateway ", lib.namespace, "/", lib.name]),
	"metadata.name", {"gateway": concat("/", [lib.namespace, lib.name])},
	refs,
) if {
	lib.operation == "DELETE"
	some k in {"Gateway", "KubernetesGateway"}
	lib.changes(k)
	lib.known("VirtualService")
	not still_served
	refs := {references.referrer(vs, concat("", ["spec.gateways[", format_int(i, 10), "]"])) |
		some vs in references.virtual_services_with_gateway(key)
		ns := object.get(vs.metadata, "namespace", "")
		some i, ref in object.get(vs.spec, "gateways", [])
		ref != "mesh"
		not routing.internal_gateway(ref)
		networking.gateway_ref(ref, ns) == key
	}
	count(refs) > 0
}

key := {"namespace": lib.namespace, "name": lib.name}

# A Gateway of the other kind with the same namespace and name keeps the references resolving.
still_served if {
	lib.kind == "Gateway"
	routing.kubernetes_gateway(key)
}

still_served if {
	lib.kind == "KubernetesGateway"
	routing.istio_gateway(key)
}
