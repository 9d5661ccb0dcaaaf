package meshguard.rules.vs_jwt_claim_route_test

import data.meshguard.rules.vs_jwt_claim_route

review(header) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "VirtualService"},
	"namespace": "foo",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "VirtualService",
		"metadata": {"name": "foo", "namespace": "foo"},
		"spec": {"hosts": ["foo.example.com"], "gateways": ["mesh", "istio-system/ingress", "missing"], "http": [{
			"match": [{"headers": {header: {"exact": "bar"}}}],
			"route": [{"destination": {"host": "foo"}}],
		}]},
	},
}}

inventory(ras) := {
	"Gateway": {"istio-system": {"ingress": {"kind": "Gateway", "metadata": {"name": "ingress", "namespace": "istio-system"}, "spec": {"selector": {"istio": "ingressgateway"}}}}},
	"Deployment": {"gateways": {"ingress": {"kind": "Deployment", "metadata": {"name": "ingress", "namespace": "gateways"}, "spec": {"template": {"metadata": {"labels": {"istio": "ingressgateway"}}}}}}},
	"RequestAuthentication": ras,
}

test_claim_routing_without_request_authentication_is_denied if {
	vs_jwt_claim_route.violation == {{
		"id": "vs-jwt-claim-route",
		"message": "VirtualService foo/foo routes on JWT claim @request.auth.claims.group through gateway istio-system/ingress, but no RequestAuthentication applies to its workload Deployment gateways/ingress (IST0149)",
		"details": {"field": "spec.http", "claim": "@request.auth.claims.group", "gateway": "istio-system/ingress", "workload": "Deployment gateways/ingress"},
	}} with input as review("@request.auth.claims.group")
		with data.meshguard.inventory as inventory({"foo": {"other": {"kind": "RequestAuthentication", "metadata": {"name": "other", "namespace": "foo"}, "spec": {}}}})
}

test_request_authentication_in_istio_system_or_the_workload_namespace_counts if {
	ra := {"kind": "RequestAuthentication", "metadata": {"name": "jwt"}, "spec": {"selector": {"matchLabels": {"istio": "ingressgateway"}}}}
	count(vs_jwt_claim_route.violation) == 0 with input as review("@request.auth.claims[group]")
		with data.meshguard.inventory as inventory({"istio-system": {"jwt": ra}})
	count(vs_jwt_claim_route.violation) == 0 with input as review("@request.auth.claims.group")
		with data.meshguard.inventory as inventory({"gateways": {"jwt": ra}})
}

test_other_headers_are_silent if {
	count(vs_jwt_claim_route.violation) == 0 with input as review("x-group")
		with data.meshguard.inventory as inventory({})
	count(vs_jwt_claim_route.violation) == 0 with input as review("@request.auth.claims")
		with data.meshguard.inventory as inventory({})
}
