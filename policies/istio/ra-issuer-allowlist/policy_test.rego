package meshguard.rules.ra_issuer_allowlist_test

import data.meshguard.rules.ra_issuer_allowlist

review(rules) := {"request": {
	"kind": {"kind": "RequestAuthentication"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "RequestAuthentication", "metadata": {"name": "jwt", "namespace": "prod"}, "spec": {"jwtRules": rules}},
}}

config(list) := {"rules": {"ra-issuer-allowlist": {"params": {"issuers": list}}}}

test_default_rejects_http_issuer if {
	ra_issuer_allowlist.violation == {{
		"id": "ra-issuer-allowlist",
		"message": "RequestAuthentication prod/jwt trusts the plain-http issuer \"http://idp.example.com\" in jwtRules[0]; only https issuers are accepted",
		"details": {"field": "spec.jwtRules[0].issuer", "issuer": "http://idp.example.com", "allowed": []},
	}} with input as review([{"issuer": "http://idp.example.com"}, {"issuer": "https://ok.example.com"}])
}

test_default_accepts_https_and_non_url_issuers if {
	count(ra_issuer_allowlist.violation) == 0 with input as review([{"issuer": "https://accounts.google.com"}, {"issuer": "testing@secure.istio.io"}])
}

test_list_rejects_unlisted if {
	ra_issuer_allowlist.violation == {{
		"id": "ra-issuer-allowlist",
		"message": "RequestAuthentication prod/jwt trusts issuer \"https://evil.example.com\" in jwtRules[1], which is not in the allowed issuers [\"https://auth.example.com\"]",
		"details": {"field": "spec.jwtRules[1].issuer", "issuer": "https://evil.example.com", "allowed": ["https://auth.example.com"]},
	}} with input as review([{"issuer": "https://auth.example.com"}, {"issuer": "https://evil.example.com"}])
		with data.meshguard.config as config(["https://auth.example.com"])
}

test_list_accepts_listed if {
	count(ra_issuer_allowlist.violation) == 0 with input as review([{"issuer": "http://legacy.internal"}])
		with data.meshguard.config as config(["http://legacy.internal"])
}

test_delete_ignored if {
	count(ra_issuer_allowlist.violation) == 0 with input as {"request": {"kind": {"kind": "RequestAuthentication"}, "operation": "DELETE", "namespace": "prod", "object": null}}
}
