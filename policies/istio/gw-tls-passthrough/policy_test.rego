package meshguard.rules.gw_tls_passthrough_test

import data.meshguard.rules.gw_tls_passthrough

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

passthrough := {"selector": {"istio": "ingressgateway"}, "servers": [
	tls_server(443, "TLS", ["db.example.com"], {"mode": "PASSTHROUGH"}),
	tls_server(15443, "TLS", ["*.local"], {"mode": "AUTO_PASSTHROUGH"}),
]}

test_passthrough_is_denied if {
	gw_tls_passthrough.violation == {{
		"id": "gw-tls-passthrough",
		"message": "Gateway edge/public server spec.servers[0] on port 443 uses tls.mode PASSTHROUGH, which namespace edge may not use",
		"details": {"field": "spec.servers[0].tls.mode", "mode": "PASSTHROUGH", "port": "443"},
	}} with input as review(passthrough)
}

test_params_allow_passthrough if {
	count(gw_tls_passthrough.violation) == 0 with input as review(passthrough)
		with data.meshguard.config as {"rules": {"gw-tls-passthrough": {"params": {"allowedNamespaces": ["edge"]}}}}
	count(gw_tls_passthrough.violation) == 0 with input as review(passthrough)
		with data.meshguard.config as {"rules": {"gw-tls-passthrough": {"params": {"allowPassthrough": true}}}}
}

test_delete_is_ignored if {
	count(gw_tls_passthrough.violation) == 0 with input as delete(passthrough)
}
