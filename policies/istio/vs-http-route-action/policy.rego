# METADATA
# title: VirtualService HTTP routes must have an action
# description: |
#   Every spec.http[] entry must say what to do with the requests it matches: `route`
#   (non-empty), `redirect`, `directResponse` or `delegate`. An entry with none of them (for
#   instance only `match` and `fault`, or an empty `route`) captures requests and answers them
#   with errors. No inventory is needed.
# custom:
#   id: vs-http-route-action
#   severity: high
#   enforcement: deny
#   fix: 'Give the http entry a non-empty route, a redirect, a directResponse or a delegate.'
#   why: 'matched requests are answered with errors (traffic)'
#   kinds: [VirtualService]
package meshguard.rules.vs_http_route_action

import data.meshguard.lib

violation contains {
	"id": "vs-http-route-action",
	"message": sprintf("VirtualService %s/%s spec.http[%d] has no route, redirect, directResponse or delegate, so the requests it matches are not served", [lib.namespace, lib.name, i]),
	"details": {"field": sprintf("spec.http[%d]", [i])},
} if {
	lib.is_kind("VirtualService")
	some i, rule in object.get(lib.obj.spec, "http", [])
	not has_action(rule)
}

has_action(rule) if count(rule.route) > 0

has_action(rule) if is_object(rule.redirect)

has_action(rule) if is_object(rule.directResponse)

has_action(rule) if is_object(rule.delegate)
