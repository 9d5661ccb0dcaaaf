# METADATA
# title: Route rules must send traffic to at least one backend
# description: |
#   When every backendRef of a route rule has weight 0, the rule matches requests but sends them
#   nowhere: the specification has the implementation answer HTTP 500 (TCP and TLS connections
#   are refused). A weight of 0 drains one backend among others; all of them at 0 is usually a
#   leftover of a traffic shift.
# custom:
#   id: route-backend-weights
#   api: gateway-api
#   severity: medium
#   enforcement: warn
#   kinds: [HTTPRoute, GRPCRoute, TCPRoute, TLSRoute]
#   fix: Give at least one backendRef of the rule a weight above 0, or remove the rule.
package meshguard.rules.route_backend_weights

import data.meshguard.lib
import data.meshguard.lib.gateway_api

violation contains {
	"id": "route-backend-weights",
	"message": sprintf("%s %s/%s rule %d gives all %d of its backendRefs weight 0, so the requests it matches get HTTP 500", [gateway_api.api_kind, lib.namespace, lib.name, i, count(backends)]),
	"details": {"field": sprintf("spec.rules[%d].backendRefs", [i])},
} if {
	gateway_api.is_route
	some i, rule in object.get(lib.obj.spec, "rules", [])
	backends := object.get(rule, "backendRefs", [])
	count(backends) > 0
	every b in backends {
		object.get(b, "weight", 1) == 0
	}
}
