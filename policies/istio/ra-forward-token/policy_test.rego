package meshguard.rules.ra_forward_token_test

import data.meshguard.rules.ra_forward_token

review(rules) := {"request": {
	"kind": {"kind": "RequestAuthentication"},
	"namespace": "default",
	"operation": "CREATE",
	"object": {"kind": "RequestAuthentication", "metadata": {"name": "jwt-auth"}, "spec": {"jwtRules": rules}},
}}

test_forward_token_warns if {
	ra_forward_token.violation == {{
		"id": "ra-forward-token",
		"message": "RequestAuthentication default/jwt-auth forwards the original JWT of issuer \"https://auth.example.com\" to the workload (jwtRules[0].forwardOriginalToken: true)",
		"details": {"field": "spec.jwtRules[0].forwardOriginalToken", "issuer": "https://auth.example.com"},
	}} with input as review([{"issuer": "https://auth.example.com", "forwardOriginalToken": true}])
}

test_not_forwarding_allowed if {
	count(ra_forward_token.violation) == 0 with input as review([{"issuer": "https://auth.example.com", "forwardOriginalToken": false}, {"issuer": "x"}])
}

test_delete_ignored if {
	count(ra_forward_token.violation) == 0 with input as {"request": {"kind": {"kind": "RequestAuthentication"}, "operation": "DELETE", "namespace": "default", "object": null}}
}
