# METADATA
# title: RequestAuthentication issuers must be approved
# description: |
#   Every `jwtRules[].issuer` must be one of the org's trusted identity providers (param
#   `issuers`, exact strings). When the list is empty (the default) any issuer is accepted except
#   a plain-http URL: an http:// issuer names an identity provider served without TLS, and when
#   the rule sets neither jwksUri nor jwks Istio discovers the keys from that issuer over plain
#   http. Non-URL issuers (JWT allows any string, e.g. "testing@secure.istio.io") are accepted.
#   Needs no inventory.
# custom:
#   id: ra-issuer-allowlist
#   severity: high
#   enforcement: deny
#   fix: 'Use an issuer listed in the param `issuers` (or an https issuer when the list is empty), or ask the platform team to add yours.'
#   why: 'untrusted or plain-http issuers let forged tokens through (security)'
#   kinds: [RequestAuthentication]
package meshguard.rules.ra_issuer_allowlist

import data.meshguard.lib

issuers := lib.param("ra-issuer-allowlist", "issuers", [])

violation contains {
	"id": "ra-issuer-allowlist",
	"message": sprintf("RequestAuthentication %s/%s trusts issuer \"%s\" in jwtRules[%d], which is not in the allowed issuers %s", [lib.namespace, lib.name, issuer, i, json.marshal(issuers)]),
	"details": {"field": sprintf("spec.jwtRules[%d].issuer", [i]), "issuer": issuer, "allowed": issuers},
} if {
	lib.is_kind("RequestAuthentication")
	count(issuers) > 0
	some i, rule in object.get(lib.obj.spec, "jwtRules", [])
	issuer := object.get(rule, "issuer", "")
	not issuer in issuers
}

violation contains {
	"id": "ra-issuer-allowlist",
	"message": sprintf("RequestAuthentication %s/%s trusts the plain-http issuer \"%s\" in jwtRules[%d]; only https issuers are accepted", [lib.namespace, lib.name, issuer, i]),
	"details": {"field": sprintf("spec.jwtRules[%d].issuer", [i]), "issuer": issuer, "allowed": issuers},
} if {
	lib.is_kind("RequestAuthentication")
	count(issuers) == 0
	some i, rule in object.get(lib.obj.spec, "jwtRules", [])
	issuer := object.get(rule, "issuer", "")
	startswith(lower(issuer), "http://")
}
