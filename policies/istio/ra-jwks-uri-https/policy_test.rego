package meshguard.rules.ra_jwks_uri_https_test

import data.meshguard.rules.ra_jwks_uri_https

review(rules) := {"request": {
	"kind": {"kind": "RequestAuthentication"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "RequestAuthentication", "metadata": {"name": "jwt", "namespace": "prod"}, "spec": {"jwtRules": rules}},
}}

test_http_jwks_uri_denied if {
	ra_jwks_uri_https.violation == {{
		"id": "ra-jwks-uri-https",
		"message": "RequestAuthentication prod/jwt fetches JWT keys over a non-https jwksUri \"http://auth.example.com/jwks.json\" in jwtRules[1]",
		"details": {"field": "spec.jwtRules[1].jwksUri", "jwksUri": "http://auth.example.com/jwks.json"},
	}} with input as review([
		{"issuer": "https://a.example.com", "jwksUri": "HTTPS://a.example.com/jwks.json"},
		{"issuer": "https://auth.example.com", "jwksUri": "http://auth.example.com/jwks.json"},
	])
}

test_https_or_unset_allowed if {
	count(ra_jwks_uri_https.violation) == 0 with input as review([
		{"issuer": "https://a.example.com", "jwksUri": "https://a.example.com/jwks.json"},
		{"issuer": "example.com"},
	])
}

test_delete_ignored if {
	count(ra_jwks_uri_https.violation) == 0 with input as {"request": {"kind": {"kind": "RequestAuthentication"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
