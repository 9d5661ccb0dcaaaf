# METADATA
# title: VirtualService route weights must sum to 100
# description: |
#   In every http, tcp and tls rule, the weights of `route[]` must add up to 100 when the route
#   has more than one destination or sets any weight. Istio treats weights as relative, so a split
#   of 80/30 or a forgotten weight (counted as 0) silently changes the traffic shares; an explicit
#   100 keeps a canary split readable. A single destination without a weight is fine. No
#   inventory is needed.
# custom:
#   id: vs-route-weights
#   severity: medium
#   enforcement: warn
#   fix: 'Set the weights of every destination of the route so they sum to 100.'
#   why: 'Istio treats weights as relative, so traffic still flows'
#   kinds: [VirtualService]
package meshguard.rules.vs_route_weights

import data.meshguard.lib

violation contains {
	"id": "vs-route-weights",
	"message": sprintf("VirtualService %s/%s has route weights %s in spec.%s[%d].route that sum to %d, not 100", [lib.namespace, lib.name, concat("/", [format_int(w, 10) | some w in weights]), section, i, total]),
	"details": {"field": sprintf("spec.%s[%d].route", [section, i]), "weights": weights, "sum": total},
} if {
	lib.is_kind("VirtualService")
	some section in ["http", "tcp", "tls"]
	some i, rule in object.get(lib.obj.spec, section, [])
	routes := object.get(rule, "route", [])
	weighted(routes)
	weights := [w | some r in routes; w := object.get(r, "weight", 0)]
	total := sum(weights)
	total != 100
}

weighted(routes) if count(routes) > 1

weighted(routes) if {
	some r in routes
	r.weight
}
