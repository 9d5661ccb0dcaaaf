# METADATA
# title: Cross-namespace route backendRefs need a ReferenceGrant
# description: |
#   A backendRef of an HTTPRoute, GRPCRoute, TCPRoute or TLSRoute to another namespace is honoured
#   only when a ReferenceGrant in the backend's namespace allows references from routes of that
#   kind in the route's namespace to that kind (and name, when the grant names one). Without it
#   the route's ResolvedRefs condition is False (RefNotPermitted) and Istio answers the requests
#   meant for that backend with HTTP 500. Inventory: needs ReferenceGrant; reported only when the
#   inventory covers the backend's namespace.
# custom:
#   id: route-backend-grant
#   api: gateway-api
#   severity: high
#   enforcement: deny
#   kinds: [HTTPRoute, GRPCRoute, TCPRoute, TLSRoute]
#   fix: Add a ReferenceGrant in the backend's namespace that allows this route kind from this namespace, or move the route next to its backend.
package meshguard.rules.route_backend_grant

import data.meshguard.lib
import data.meshguard.lib.gateway_api

violation contains {
	"id": "route-backend-grant",
	"message": sprintf("%s %s/%s routes to %s %s/%s (%s) in another namespace, but no ReferenceGrant in %s allows references from %s in %s", [gateway_api.api_kind, lib.namespace, lib.name, b.kind, b.namespace, b.name, b.field, b.namespace, lib.kind, lib.namespace]),
	"details": {"field": concat(".", [b.field, "namespace"]), "backend": {"kind": b.kind, "namespace": b.namespace, "name": b.name}},
} if {
	some b in gateway_api.backend_refs
	b.namespace != lib.namespace
	lib.known("ReferenceGrant")
	lib.covers(b.namespace, {"ReferenceGrant"})
	not gateway_api.granted(lib.kind, lib.namespace, b.group, b.kind, b.namespace, b.name)
}
