package meshguard.rules.gw_tls_credential_test

import data.meshguard.rules.gw_tls_credential

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

test_missing_mode_and_certificate_are_denied if {
	gw_tls_credential.violation == {
		{
			"id": "gw-tls-credential",
			"message": "Gateway edge/public server spec.servers[0] (port 443, HTTPS) sets no tls.mode; set SIMPLE or MUTUAL with a certificate, or PASSTHROUGH explicitly",
			"details": {"field": "spec.servers[0].tls.mode", "port": "443"},
		},
		{
			"id": "gw-tls-credential",
			"message": "Gateway edge/public server spec.servers[1] (port 8443) terminates TLS (mode MUTUAL) without a certificate: set credentialName, or serverCertificate and privateKey",
			"details": {"field": "spec.servers[1].tls.credentialName", "port": "8443", "mode": "MUTUAL"},
		},
		{
			"id": "gw-tls-credential",
			"message": "Gateway edge/public server spec.servers[2] (port 9443) terminates TLS (mode SIMPLE) without a certificate: set credentialName, or serverCertificate and privateKey",
			"details": {"field": "spec.servers[2].tls.credentialName", "port": "9443", "mode": "SIMPLE"},
		},
	} with input as review({"selector": {"istio": "ingressgateway"}, "servers": [
		server(443, "HTTPS", ["a.example.com"]),
		tls_server(8443, "https", ["b.example.com"], {"mode": "MUTUAL", "caCertificates": "/ca.pem"}),
		tls_server(9443, "TLS", ["c.example.com"], {"mode": "SIMPLE", "serverCertificate": "/cert.pem"}),
	]})
}

test_every_certificate_form_is_accepted if {
	count(gw_tls_credential.violation) == 0 with input as review({"selector": {"istio": "ingressgateway"}, "servers": [
		server(80, "HTTP", ["*"]),
		tls_server(443, "HTTPS", ["a.example.com"], {"mode": "SIMPLE", "credentialName": "a-cert"}),
		tls_server(444, "HTTPS", ["b.example.com"], {"mode": "SIMPLE", "credentialNames": ["b-rsa", "b-ecdsa"]}),
		tls_server(445, "HTTPS", ["c.example.com"], {"mode": "MUTUAL", "serverCertificate": "/c.pem", "privateKey": "/c.key", "caCertificates": "/ca.pem"}),
		tls_server(446, "HTTPS", ["d.example.com"], {"mode": "SIMPLE", "tlsCertificates": [{"serverCertificate": "/d.pem", "privateKey": "/d.key"}]}),
		tls_server(15443, "TLS", ["*.local"], {"mode": "AUTO_PASSTHROUGH"}),
		tls_server(15012, "TLS", ["istiod.example.com"], {"mode": "PASSTHROUGH"}),
		tls_server(15008, "TLS", ["*"], {"mode": "ISTIO_MUTUAL"}),
	]})
}

test_delete_is_ignored if {
	count(gw_tls_credential.violation) == 0 with input as delete({"servers": [server(443, "HTTPS", ["a.example.com"])]})
}
