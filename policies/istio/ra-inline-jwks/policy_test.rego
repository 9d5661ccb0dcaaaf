package meshguard.rules.ra_inline_jwks_test

import data.meshguard.rules.ra_inline_jwks

review(rules) := {"request": {
	"kind": {"kind": "RequestAuthentication"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "RequestAuthentication", "metadata": {"name": "jwt", "namespace": "prod"}, "spec": {"jwtRules": rules}},
}}

test_inline_jwks_warns if {
	ra_inline_jwks.violation == {{
		"id": "ra-inline-jwks",
		"message": "RequestAuthentication prod/jwt inlines the JWKS for issuer \"https://a.example.com\" in jwtRules[0]; keys will not rotate, use an https jwksUri",
		"details": {"field": "spec.jwtRules[0].jwks", "issuer": "https://a.example.com"},
	}} with input as review([{"issuer": "https://a.example.com", "jwks": "{\"keys\":[]}"}])
}

test_jwks_uri_allowed if {
	count(ra_inline_jwks.violation) == 0 with input as review([{"issuer": "https://a.example.com", "jwksUri": "https://a.example.com/jwks"}])
}

test_delete_ignored if {
	count(ra_inline_jwks.violation) == 0 with input as {"request": {"kind": {"kind": "RequestAuthentication"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
