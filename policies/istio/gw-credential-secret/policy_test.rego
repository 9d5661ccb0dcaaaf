package meshguard.rules.gw_credential_secret_test

import data.meshguard.rules.gw_credential_secret

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "Gateway"},
	"namespace": "edge",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "Gateway",
		"metadata": {"name": "public", "namespace": "edge"},
		"spec": spec,
	},
}}

delete(spec) := object.union(review(spec), {"request": {"operation": "DELETE"}})

server(number, protocol, hosts) := {"port": {"number": number, "name": "p", "protocol": protocol}, "hosts": hosts}

tls_server(number, protocol, hosts, tls) := object.union(server(number, protocol, hosts), {"tls": tls})

spec := {"selector": {"istio": "ingressgateway"}, "servers": [
	tls_server(443, "HTTPS", ["a.example.com"], {"mode": "SIMPLE", "credentialName": "a-cert"}),
	tls_server(444, "HTTPS", ["b.example.com"], {"mode": "SIMPLE", "credentialNames": ["b-rsa", "kubernetes://b-ecdsa"]}),
]}

secret(ns, name) := {"kind": "Secret", "metadata": {"name": name, "namespace": ns}}

ingress_pod := {"Pod": {"istio-ingress": {"gw-1": {"kind": "Pod", "metadata": {"name": "gw-1", "namespace": "istio-ingress", "labels": {"istio": "ingressgateway"}}, "spec": {}}}}}

test_missing_secrets_in_gateway_namespace_are_denied if {
	gw_credential_secret.violation == {
		{
			"id": "gw-credential-secret",
			"message": "Gateway edge/public server spec.servers[0] uses TLS credential a-cert, but no Secret a-cert exists in namespace edge",
			"details": {"field": "spec.servers[0].tls.credentialName", "secret": "a-cert", "namespaces": ["edge"]},
		},
		{
			"id": "gw-credential-secret",
			"message": "Gateway edge/public server spec.servers[1] uses TLS credential b-ecdsa, but no Secret b-ecdsa exists in namespace edge",
			"details": {"field": "spec.servers[1].tls.credentialNames[1]", "secret": "b-ecdsa", "namespaces": ["edge"]},
		},
	} with input as review(spec)
		with data.meshguard.inventory as {"Secret": {"edge": {"b-rsa": secret("edge", "b-rsa")}, "istio-ingress": {"a-cert": secret("istio-ingress", "a-cert")}}}
}

test_workload_namespace_is_used_when_known if {
	count(gw_credential_secret.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as object.union(ingress_pod, {"Secret": {"istio-ingress": {
			"a-cert": secret("istio-ingress", "a-cert"),
			"b-rsa": secret("istio-ingress", "b-rsa"),
			"b-ecdsa": secret("istio-ingress", "b-ecdsa"),
		}}})
	count(gw_credential_secret.violation) == 3 with input as review(spec)
		with data.meshguard.inventory as object.union(ingress_pod, {"Secret": {"edge": {"a-cert": secret("edge", "a-cert")}}})
}

test_unknown_secrets_are_silent if {
	count(gw_credential_secret.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"Gateway": {}}
}

test_delete_is_ignored if {
	count(gw_credential_secret.violation) == 0 with input as delete(spec)
		with data.meshguard.inventory as {"Secret": {}}
}

test_gateways_outside_the_watched_namespaces_are_silent if {
	count(gw_credential_secret.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"Secret": {"istio-system": {}}}
		with data.meshguard.inventory_scopes as {"Secret": ["istio-system"]}
}

test_gateways_inside_the_watched_namespaces_are_judged if {
	count(gw_credential_secret.violation) == 3 with input as review(spec)
		with data.meshguard.inventory as {"Secret": {}}
		with data.meshguard.inventory_scopes as {"Secret": ["istio-system", "edge"]}
}
