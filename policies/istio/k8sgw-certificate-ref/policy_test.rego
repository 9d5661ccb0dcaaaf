package meshguard.rules.k8sgw_certificate_ref_test

import data.meshguard.rules.k8sgw_certificate_ref

owner(kind, refs) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": kind},
	"namespace": "infra",
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind, "metadata": {"name": "public", "namespace": "infra"}, "spec": {"listeners": [
		{"name": "http", "port": 80, "protocol": "HTTP"},
		{"name": "https", "port": 443, "protocol": "HTTPS", "tls": {"mode": "Terminate", "certificateRefs": refs}},
	]}},
}}

secret(ns, name) := {"kind": "Secret", "metadata": {"name": name, "namespace": ns}}

inventory := {
	"Secret": {"infra": {"local-cert": secret("infra", "local-cert")}, "certs": {"shared-cert": secret("certs", "shared-cert")}},
	"ReferenceGrant": {"certs": {"infra": {"kind": "ReferenceGrant", "metadata": {"name": "infra", "namespace": "certs"}, "spec": {
		"from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "infra"}],
		"to": [{"group": "", "kind": "Secret"}],
	}}}},
}

shop_grant := {"kind": "ReferenceGrant", "metadata": {"name": "shop", "namespace": "certs"}, "spec": {
	"from": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": "shop"}],
	"to": [{"group": "", "kind": "Secret"}],
}}

test_existing_and_granted_certificates_pass if {
	count(k8sgw_certificate_ref.violation) == 0 with input as owner("Gateway", [{"name": "local-cert"}, {"name": "shared-cert", "namespace": "certs"}, {"group": "example.com", "kind": "Vault", "name": "x"}])
		with data.meshguard.inventory as inventory
}

test_missing_and_ungranted_certificates_are_denied if {
	k8sgw_certificate_ref.violation == {
		{
			"id": "k8sgw-certificate-ref",
			"message": "Gateway infra/public listener https serves the certificate gone-cert (spec.listeners[1].tls.certificateRefs[0]), but Secret infra/gone-cert does not exist",
			"details": {"field": "spec.listeners[1].tls.certificateRefs[0]", "secret": {"namespace": "infra", "name": "gone-cert"}},
		},
		{
			"id": "k8sgw-certificate-ref",
			"message": "Gateway infra/public listener https serves the certificate shared-cert (spec.listeners[1].tls.certificateRefs[1]), but Secret certs/shared-cert is in another namespace and no ReferenceGrant in certs allows references from Gateway in infra",
			"details": {"field": "spec.listeners[1].tls.certificateRefs[1].namespace", "secret": {"namespace": "certs", "name": "shared-cert"}},
		},
	} with input as owner("Gateway", [{"name": "gone-cert"}, {"name": "shared-cert", "namespace": "certs"}])
		with data.meshguard.inventory as {"Secret": inventory.Secret, "ReferenceGrant": {"certs": {"shop": shop_grant}}}
}

test_listener_sets_need_their_own_grant if {
	k8sgw_certificate_ref.violation == {{
		"id": "k8sgw-certificate-ref",
		"message": "ListenerSet infra/public listener https serves the certificate shared-cert (spec.listeners[1].tls.certificateRefs[0]), but Secret certs/shared-cert is in another namespace and no ReferenceGrant in certs allows references from ListenerSet in infra",
		"details": {"field": "spec.listeners[1].tls.certificateRefs[0].namespace", "secret": {"namespace": "certs", "name": "shared-cert"}},
	}} with input as owner("ListenerSet", [{"name": "shared-cert", "namespace": "certs"}])
		with data.meshguard.inventory as inventory
}

test_secrets_outside_the_watched_namespaces_are_not_judged if {
	count(k8sgw_certificate_ref.violation) == 0 with input as owner("Gateway", [{"name": "gone-cert"}])
		with data.meshguard.inventory as inventory
		with data.meshguard.inventory_scopes as {"Secret": ["certs"]}
}

test_istio_gateways_are_not_judged if {
	review := owner("Gateway", [{"name": "gone-cert"}])
	count(k8sgw_certificate_ref.violation) == 0 with input as object.union(review, {"request": {"kind": {"group": "networking.istio.io"}}})
		with data.meshguard.inventory as inventory
}
