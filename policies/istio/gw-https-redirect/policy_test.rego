package meshguard.rules.gw_https_redirect_test

import data.meshguard.rules.gw_https_redirect

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

test_plain_http_warns if {
	gw_https_redirect.violation == {{
		"id": "gw-https-redirect",
		"message": "Gateway edge/public server spec.servers[0] serves * over plain HTTP on port 80 without tls.httpsRedirect: true",
		"details": {"field": "spec.servers[0].tls.httpsRedirect", "port": "80", "hosts": ["*"]},
	}} with input as review({"selector": {"istio": "ingressgateway"}, "servers": [
		server(80, "HTTP", ["*"]),
		tls_server(8080, "http", ["a.example.com"], {"httpsRedirect": true}),
		tls_server(443, "HTTPS", ["a.example.com"], {"mode": "SIMPLE", "credentialName": "a"}),
	]})
}

test_egress_gateway_is_ignored if {
	count(gw_https_redirect.violation) == 0 with input as review({"selector": {"istio": "egressgateway"}, "servers": [server(80, "HTTP", ["api.example.com"])]})
}

test_ignore_selectors_param if {
	count(gw_https_redirect.violation) == 0 with input as review({"selector": {"app": "internal-gw"}, "servers": [server(80, "HTTP", ["*"])]})
		with data.meshguard.config as {"rules": {"gw-https-redirect": {"params": {"ignoreSelectors": [{"app": "internal-gw"}]}}}}
	count(gw_https_redirect.violation) == 1 with input as review({"selector": {"istio": "egressgateway"}, "servers": [server(80, "HTTP", ["*"])]})
		with data.meshguard.config as {"rules": {"gw-https-redirect": {"params": {"ignoreSelectors": []}}}}
}

test_delete_is_ignored if {
	count(gw_https_redirect.violation) == 0 with input as delete({"servers": [server(80, "HTTP", ["*"])]})
}
