# METADATA
# title: VirtualService gateways must exist
# description: |
#   Every entry of spec.gateways except the reserved `mesh` must name an existing Gateway:
#   `ns/name`, or a bare `name` in the VirtualService's namespace (istioctl IST0101
#   ReferencedResourceNotFound). A VirtualService bound to a missing gateway configures nothing.
#   As istioctl, an Istio Gateway or a Kubernetes Gateway (gateway.networking.k8s.io) of that
#   name counts; references to the internal Gateways Istio generates for Kubernetes Gateways are
#   vs-gateway-internal's finding (IST0165). Inventory: needs Gateway; when the inventory does
#   not carry that kind the rule stays silent. Kubernetes Gateways are the inventory kind
#   KubernetesGateway, apart from Istio Gateways of the same name: offline the
#   gateway.networking.k8s.io Gateways among the files given, at admission the webhook's
#   informer (a cluster without the Gateway API CRDs has none, so a reference to one is missing).
# custom:
#   id: vs-gateway-exists
#   severity: high
#   enforcement: deny
#   fix: 'Correct spec.gateways to an existing Gateway (`<namespace>/<name>`, or a name in this namespace), or create the Gateway first.'
#   why: 'the routes for that gateway do not exist (traffic)'
#   kinds: [VirtualService]
#   istioCode: IST0101
package meshguard.rules.vs_gateway_exists

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing

violation contains {
	"id": "vs-gateway-exists",
	"message": sprintf("VirtualService %s/%s is bound to gateway %s (spec.gateways[%d]), but Gateway %s/%s does not exist", [lib.namespace, lib.name, ref, i, gw.namespace, gw.name]),
	"details": {"field": sprintf("spec.gateways[%d]", [i]), "gateway": ref, "namespace": gw.namespace, "name": gw.name},
} if {
	lib.is_kind("VirtualService")
	lib.known("Gateway")
	some i, ref in object.get(lib.obj.spec, "gateways", [])
	ref != "mesh"
	not routing.internal_gateway(ref)
	gw := networking.gateway_ref(ref, lib.namespace)
	not routing.gateway_exists(gw)
}
