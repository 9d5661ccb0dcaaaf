package meshguard.rules.gw_duplicate_certificate_test

import data.meshguard.rules.gw_duplicate_certificate

review(selector, tls) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "Gateway"},
	"namespace": "edge",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "Gateway",
		"metadata": {"name": "public", "namespace": "edge"},
		"spec": {"selector": selector, "servers": [
			{"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["*"]},
			{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["a.example.com"], "tls": tls},
		]},
	},
}}

gw(ns, name, selector, tls) := {"kind": "Gateway", "metadata": {"name": name, "namespace": ns}, "spec": {"selector": selector, "servers": [{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["b.example.com"], "tls": tls}]}}

inventory := {"Gateway": {
	"shop": {
		"wide": gw("shop", "wide", {"istio": "ingressgateway", "type": "internal"}, {"mode": "SIMPLE", "credentialName": "wildcard"}),
		"files": gw("shop", "files", {"istio": "ingressgateway"}, {"mode": "SIMPLE", "serverCertificate": "/etc/certs/a.pem", "privateKey": "/etc/certs/a-key.pem"}),
	},
	"other": {"narrow": gw("other", "narrow", {"app": "other"}, {"mode": "SIMPLE", "credentialName": "wildcard"})},
}}

test_shared_credential_on_a_covering_selector_warns if {
	gw_duplicate_certificate.violation == {{
		"id": "gw-duplicate-certificate",
		"message": "Gateway edge/public serves the same certificate as Gateway shop/wide on the same workload: duplicate certificate in multiple gateways [edge/public shop/wide] may cause 404s if clients re-use HTTP2 connections (IST0138)",
		"details": {"field": "spec.servers", "gateways": ["edge/public", "shop/wide"]},
	}} with input as review({"istio": "ingressgateway"}, {"mode": "SIMPLE", "credentialName": "wildcard"})
		with data.meshguard.inventory as inventory
}

test_file_certificates_need_both_paths_equal if {
	count(gw_duplicate_certificate.violation) == 1 with input as review({"istio": "ingressgateway"}, {"mode": "SIMPLE", "serverCertificate": "/etc/certs/a.pem", "privateKey": "/etc/certs/a-key.pem"})
		with data.meshguard.inventory as inventory
	count(gw_duplicate_certificate.violation) == 0 with input as review({"istio": "ingressgateway"}, {"mode": "SIMPLE", "serverCertificate": "/etc/certs/a.pem", "privateKey": "/etc/certs/b-key.pem"})
		with data.meshguard.inventory as inventory
}

test_narrower_selector_on_the_other_side_is_silent if {
	count(gw_duplicate_certificate.violation) == 0 with input as review({"istio": "ingressgateway", "type": "internal", "zone": "a"}, {"mode": "SIMPLE", "credentialName": "wildcard"})
		with data.meshguard.inventory as inventory
}
