# METADATA
# title: RequestAuthentication jwksUri must use https
# description: |
#   Istio fetches the JSON Web Key Set from `jwtRules[].jwksUri`. Fetched over plain http, the
#   keys can be replaced in transit and forged tokens would then validate, so every jwksUri must
#   be an https:// URL. Rules that set no jwksUri are not reported here (inline keys are
#   ra-inline-jwks's concern; OIDC discovery from the issuer is covered by ra-issuer-allowlist,
#   which by default rejects plain-http issuers). Needs no inventory.
# custom:
#   id: ra-jwks-uri-https
#   severity: high
#   enforcement: deny
#   fix: 'Serve the JWKS over https and set jwksUri to the https:// URL.'
#   why: 'keys fetched over http can be replaced in transit (security)'
#   kinds: [RequestAuthentication]
package meshguard.rules.ra_jwks_uri_https

import data.meshguard.lib

violation contains {
	"id": "ra-jwks-uri-https",
	"message": sprintf("RequestAuthentication %s/%s fetches JWT keys over a non-https jwksUri \"%s\" in jwtRules[%d]", [lib.namespace, lib.name, uri, i]),
	"details": {"field": sprintf("spec.jwtRules[%d].jwksUri", [i]), "jwksUri": uri},
} if {
	lib.is_kind("RequestAuthentication")
	some i, rule in object.get(lib.obj.spec, "jwtRules", [])
	uri := object.get(rule, "jwksUri", "")
	uri != ""
	not startswith(lower(uri), "https://")
}
