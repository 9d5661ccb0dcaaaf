package meshguard.rules.gw_credential_in_use_test

import data.meshguard.rules.gw_credential_in_use

secret := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "shop-cert", "namespace": "istio-system"}, "type": "kubernetes.io/tls"}

delete := {"request": {
	"uid": "1",
	"kind": {"group": "", "version": "v1", "kind": "Secret"},
	"namespace": "istio-system",
	"name": "shop-cert",
	"operation": "DELETE",
	"object": null,
	"oldObject": secret,
}}

istio_gateway(ns, name, tls) := {
	"kind": "Gateway",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"selector": {"istio": "ingressgateway"}, "servers": [{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["*"], "tls": tls}]},
}

ingress_pod := {"kind": "Pod", "metadata": {"name": "ingress-1", "namespace": "istio-system", "labels": {"istio": "ingressgateway"}}, "spec": {}}

kubernetes_gateway(ns, ref) := {
	"apiVersion": "gateway.networking.k8s.io/v1",
	"kind": "Gateway",
	"metadata": {"name": "web", "namespace": ns},
	"spec": {"gatewayClassName": "istio", "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS", "tls": {"certificateRefs": [ref]}}]},
}

inventory := {
	"Secret": {"istio-system": {"shop-cert": secret}},
	"Pod": {"istio-system": {"ingress-1": ingress_pod}},
	"Gateway": {"shop": {
		"shop": istio_gateway("shop", "shop", {"mode": "SIMPLE", "credentialName": "kubernetes://shop-cert"}),
		"other": istio_gateway("shop", "other", {"mode": "SIMPLE", "credentialNames": ["other-cert", "shop-cert"]}),
	}},
	"KubernetesGateway": {
		"istio-system": {"web": kubernetes_gateway("istio-system", {"name": "shop-cert"})},
		"shop": {"web": kubernetes_gateway("shop", {"name": "shop-cert", "namespace": "istio-system"})},
		"team-b": {"web": kubernetes_gateway("team-b", {"name": "shop-cert"})},
	},
}

test_deleting_a_credential_in_use_warns if {
	gw_credential_in_use.violation == {{
		"id": "gw-credential-in-use",
		"message": "Secret istio-system/shop-cert is deleted, but TLS credential istio-system/shop-cert is still referenced by Gateway istio-system/web (spec.listeners[0].tls.certificateRefs[0]), Gateway shop/other (spec.servers[0].tls.credentialNames[1]), Gateway shop/shop (spec.servers[0].tls.credentialName), Gateway shop/web (spec.listeners[0].tls.certificateRefs[0])",
		"details": {
			"changedField": "metadata.name", "secret": "shop-cert", "referrerCount": 4,
			"referrers": [
				{"kind": "Gateway", "namespace": "istio-system", "name": "web", "field": "spec.listeners[0].tls.certificateRefs[0]"},
				{"kind": "Gateway", "namespace": "shop", "name": "other", "field": "spec.servers[0].tls.credentialNames[1]"},
				{"kind": "Gateway", "namespace": "shop", "name": "shop", "field": "spec.servers[0].tls.credentialName"},
				{"kind": "Gateway", "namespace": "shop", "name": "web", "field": "spec.listeners[0].tls.certificateRefs[0]"},
			],
		},
	}} with input as delete with data.meshguard.inventory as inventory
}

test_a_gateway_whose_workloads_run_elsewhere_does_not_use_it if {
	count(gw_credential_in_use.violation) == 0 with input as delete
		with data.meshguard.inventory as {
			"Secret": {"istio-system": {"shop-cert": secret}},
			"Pod": {"gateways": {"ingress-1": object.union(ingress_pod, {"metadata": {"namespace": "gateways"}})}},
			"Gateway": {"shop": {"shop": istio_gateway("shop", "shop", {"mode": "SIMPLE", "credentialName": "shop-cert"})}},
		}
}

test_unreferenced_secrets_and_updates_are_silent if {
	count(gw_credential_in_use.violation) == 0 with input as object.union(delete, {"request": {"name": "unused", "oldObject": {"metadata": {"name": "unused"}}}})
		with data.meshguard.inventory as inventory
	count(gw_credential_in_use.violation) == 0 with input as object.union(delete, {"request": {"operation": "UPDATE", "object": secret}})
		with data.meshguard.inventory as inventory
}
