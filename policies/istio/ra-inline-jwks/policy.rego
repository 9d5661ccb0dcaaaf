# METADATA
# title: RequestAuthentication should not inline the JWKS
# description: |
#   `jwtRules[].jwks` pins the public keys inside the object: when the identity provider rotates
#   its keys, every token signed with the new key is rejected until someone edits the object, and
#   a revoked key stays trusted. Prefer an https `jwksUri`, which Istio refreshes. Needs no
#   inventory.
# custom:
#   id: ra-inline-jwks
#   severity: low
#   enforcement: warn
#   fix: 'Replace the inline `jwks` with an https `jwksUri` that Istio refreshes when keys rotate.'
#   why: 'works until keys rotate; a risk to review'
#   kinds: [RequestAuthentication]
package meshguard.rules.ra_inline_jwks

import data.meshguard.lib

violation contains {
	"id": "ra-inline-jwks",
	"message": sprintf("RequestAuthentication %s/%s inlines the JWKS for issuer \"%s\" in jwtRules[%d]; keys will not rotate, use an https jwksUri", [lib.namespace, lib.name, issuer, i]),
	"details": {"field": sprintf("spec.jwtRules[%d].jwks", [i]), "issuer": issuer},
} if {
	lib.is_kind("RequestAuthentication")
	some i, rule in object.get(lib.obj.spec, "jwtRules", [])
	object.get(rule, "jwks", "") != ""
	issuer := object.get(rule, "issuer", "")
}
