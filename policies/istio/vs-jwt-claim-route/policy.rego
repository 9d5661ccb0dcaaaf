# METADATA
# title: JWT claim routing needs a RequestAuthentication on the gateway
# description: |
#   Routing on "@request.auth.claims..." headers only works where a RequestAuthentication has
#   validated the token and made its claims available: for each Istio Gateway the VirtualService
#   is bound to, every gateway workload must be selected by a RequestAuthentication of the
#   istio-system namespace or of the workload's namespace (istioctl IST0149
#   JwtClaimBasedRoutingWithoutRequestAuthN, virtualservice.JWTClaimRouteAnalyzer; istioctl looks
#   in istio-system, not the configured root namespace). Workloads are Pods and pod templates of
#   Deployments, StatefulSets, DaemonSets and ReplicaSets. Missing gateways are vs-gateway-exists'
#   finding. Inventory: needs Gateway, RequestAuthentication and a workload kind; silent otherwise.
# custom:
#   id: vs-jwt-claim-route
#   severity: high
#   enforcement: deny
#   fix: 'Apply a RequestAuthentication selecting the gateway workloads (in istio-system or their namespace) before routing on @request.auth.claims.'
#   why: 'claim routes never match without validated tokens (traffic)'
#   kinds: [VirtualService]
#   istioCode: IST0149
package meshguard.rules.vs_jwt_claim_route

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routes
import data.meshguard.lib.routing
import data.meshguard.lib.workloads

violation contains {
	"id": "vs-jwt-claim-route",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " routes on JWT claim ", key, " through gateway ", gw_name,
		", but no RequestAuthentication applies to its workload ", w.kind, " ", w.namespace, "/", w.name, " (IST0149)",
	]),
	"details": {"field": "spec.http", "claim": key, "gateway": gw_name, "workload": concat("", [w.kind, " ", w.namespace, "/", w.name])},
} if {
	lib.is_kind("VirtualService")
	lib.known("Gateway")
	lib.known("RequestAuthentication")
	workloads.selectable_known
	key := min(routes.jwt_claim_keys)
	some ref in object.get(lib.obj.spec, "gateways", [])
	ref != "mesh"
	gw_key := networking.gateway_ref(ref, lib.namespace)
	gw := routing.istio_gateway(gw_key)
	gw_name := concat("/", [gw_key.namespace, gw_key.name])
	some w in workloads.selected_by(object.get(gw.spec, "selector", {}))
	not authenticated(w)
}

authenticated(w) if {
	some ns in {"istio-system", w.namespace}
	some ra in lib.items_in("RequestAuthentication", ns)
	workloads.matches_labels(object.get(object.get(ra.spec, "selector", {}), "matchLabels", {}), w.labels)
}
