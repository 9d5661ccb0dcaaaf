package meshguard.rules.gw_wildcard_host_test

import data.meshguard.rules.gw_wildcard_host

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

test_wildcard_on_tls_servers_is_denied if {
	gw_wildcard_host.violation == {
		{
			"id": "gw-wildcard-host",
			"message": "Gateway edge/public server spec.servers[1] on port 443 accepts any host (*); name the hosts it serves",
			"details": {"field": "spec.servers[1].hosts[0]", "host": "*", "port": "443"},
		},
		{
			"id": "gw-wildcard-host",
			"message": "Gateway edge/public server spec.servers[2] on port 8443 accepts any host (prod/*); name the hosts it serves",
			"details": {"field": "spec.servers[2].hosts[1]", "host": "prod/*", "port": "8443"},
		},
	} with input as review({"selector": {"istio": "ingressgateway"}, "servers": [
		server(80, "HTTP", ["*"]),
		tls_server(443, "HTTPS", ["*"], {"mode": "SIMPLE", "credentialName": "c"}),
		tls_server(8443, "TLS", ["a.example.com", "prod/*"], {"mode": "SIMPLE", "credentialName": "c"}),
	]})
}

test_named_and_domain_wildcards_are_allowed if {
	count(gw_wildcard_host.violation) == 0 with input as review({"servers": [tls_server(443, "HTTPS", ["*.example.com", "prod/a.example.com"], {"mode": "SIMPLE", "credentialName": "c"})]})
}

test_params if {
	count(gw_wildcard_host.violation) == 0 with input as review({"servers": [tls_server(443, "HTTPS", ["*"], {"mode": "SIMPLE", "credentialName": "c"})]})
		with data.meshguard.config as {"rules": {"gw-wildcard-host": {"params": {"allowWildcardHosts": true}}}}
	count(gw_wildcard_host.violation) == 1 with input as review({"servers": [server(8080, "HTTP", ["*"])]})
		with data.meshguard.config as {"rules": {"gw-wildcard-host": {"params": {"ports": [443, 8080]}}}}
}

test_delete_is_ignored if {
	count(gw_wildcard_host.violation) == 0 with input as delete({"servers": [tls_server(443, "HTTPS", ["*"], {"mode": "SIMPLE"})]})
}
