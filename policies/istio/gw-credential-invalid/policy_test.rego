package meshguard.rules.gw_credential_invalid_test

import data.meshguard.rules.gw_credential_invalid

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

tls_server(number, hosts, tls) := {"port": {"number": number, "name": "https", "protocol": "HTTPS"}, "hosts": hosts, "tls": tls}

spec := {"selector": {"istio": "ingressgateway"}, "servers": [
	tls_server(443, ["a.example.com"], {"mode": "SIMPLE", "credentialName": "a-cert"}),
	tls_server(444, ["b.example.com"], {"mode": "SIMPLE", "credentialNames": ["b-rsa", "kubernetes://b-ecdsa"]}),
	{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]},
]}

secret(ns, name, facts) := {"kind": "Secret", "metadata": {"name": name, "namespace": ns}, "tlsFacts": facts}

valid := {"valid": true, "notAfter": "2126-01-01T00:00:00.000Z"}

expired := {"valid": false, "problem": "the certificate expired at 2021-01-01T00:00:00.000Z", "notAfter": "2021-01-01T00:00:00.000Z"}

no_keys := {"valid": false, "problem": "found keys \"ca.crt\", expected \"cert\" and \"key\" or \"tls.crt\" and \"tls.key\""}

ingress_pod := {"Pod": {"istio-ingress": {"gw-1": {"kind": "Pod", "metadata": {"name": "gw-1", "namespace": "istio-ingress", "labels": {"istio": "ingressgateway"}}, "spec": {}}}}}

test_invalid_credentials_in_the_workload_namespace_are_denied if {
	gw_credential_invalid.violation == {
		{
			"id": "gw-credential-invalid",
			"message": "Gateway edge/public server spec.servers[0] uses TLS credential a-cert, but Secret istio-ingress/a-cert is not a usable credential: the certificate expired at 2021-01-01T00:00:00.000Z (The credential referenced by the Gateway public in namespace istio-ingress is invalid)",
			"details": {"field": "spec.servers[0].tls.credentialName", "secret": "istio-ingress/a-cert", "problem": "the certificate expired at 2021-01-01T00:00:00.000Z"},
		},
		{
			"id": "gw-credential-invalid",
			"message": "Gateway edge/public server spec.servers[1] uses TLS credential b-ecdsa, but Secret istio-ingress/b-ecdsa is not a usable credential: found keys \"ca.crt\", expected \"cert\" and \"key\" or \"tls.crt\" and \"tls.key\" (The credential referenced by the Gateway public in namespace istio-ingress is invalid)",
			"details": {"field": "spec.servers[1].tls.credentialNames[1]", "secret": "istio-ingress/b-ecdsa", "problem": "found keys \"ca.crt\", expected \"cert\" and \"key\" or \"tls.crt\" and \"tls.key\""},
		},
	} with input as review(spec)
		with data.meshguard.inventory as object.union(ingress_pod, {"Secret": {
			"istio-ingress": {
				"a-cert": secret("istio-ingress", "a-cert", expired),
				"b-rsa": secret("istio-ingress", "b-rsa", valid),
				"b-ecdsa": secret("istio-ingress", "b-ecdsa", no_keys),
			},
			"edge": {"a-cert": secret("edge", "a-cert", valid)},
		}})
}

test_gateway_namespace_without_workloads if {
	{v.details.secret | some v in gw_credential_invalid.violation} == {"edge/a-cert"} with input as review(spec)
		with data.meshguard.inventory as {"Secret": {"edge": {"a-cert": secret("edge", "a-cert", expired), "b-rsa": secret("edge", "b-rsa", valid)}}}
}

test_valid_missing_and_metadata_only_secrets_are_silent if {
	count(gw_credential_invalid.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"Secret": {"edge": {
			"a-cert": secret("edge", "a-cert", valid),
			"b-rsa": {"kind": "Secret", "metadata": {"name": "b-rsa", "namespace": "edge"}},
		}}}
}

test_other_kinds_are_ignored if {
	count(gw_credential_invalid.violation) == 0 with input as object.union(review(spec), {"request": {"kind": {"kind": "VirtualService"}, "object": {"kind": "VirtualService"}}})
		with data.meshguard.inventory as {"Secret": {"edge": {"a-cert": secret("edge", "a-cert", expired)}}}
}
