# METADATA
# title: RequestAuthentication forwards the original token
# description: |
#   `jwtRules[].forwardOriginalToken: true` keeps the caller's bearer token on the request sent to
#   the application, so the application (and everything it calls or logs) holds a credential it
#   could replay elsewhere. Legitimate when the application itself must read the token; the rule
#   warns so the choice is deliberate. Prefer `outputClaimToHeaders` or `outputPayloadToHeader`.
#   Needs no inventory.
# custom:
#   id: ra-forward-token
#   severity: medium
#   enforcement: warn
#   fix: 'Remove `forwardOriginalToken: true` and pass the claims the application needs with outputClaimToHeaders or outputPayloadToHeader.'
#   why: 'sometimes needed; the choice should be deliberate'
#   kinds: [RequestAuthentication]
package meshguard.rules.ra_forward_token

import data.meshguard.lib

violation contains {
	"id": "ra-forward-token",
	"message": sprintf("RequestAuthentication %s/%s forwards the original JWT of issuer \"%s\" to the workload (jwtRules[%d].forwardOriginalToken: true)", [lib.namespace, lib.name, issuer, i]),
	"details": {"field": sprintf("spec.jwtRules[%d].forwardOriginalToken", [i]), "issuer": issuer},
} if {
	lib.is_kind("RequestAuthentication")
	some i, rule in object.get(lib.obj.spec, "jwtRules", [])
	rule.forwardOriginalToken == true
	issuer := object.get(rule, "issuer", "")
}
