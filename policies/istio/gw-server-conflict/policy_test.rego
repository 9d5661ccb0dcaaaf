package meshguard.rules.gw_server_conflict_test

import data.meshguard.rules.gw_server_conflict

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

gw(ns, name, selector, servers) := {"kind": "Gateway", "metadata": {"name": name, "namespace": ns}, "spec": {"selector": selector, "servers": servers}}

spec := {"selector": {"istio": "ingressgateway", "team": "web"}, "servers": [
	server(80, "HTTP", ["shop.example.com"]),
	tls_server(443, "HTTPS", ["./api.example.com"], {"mode": "SIMPLE", "credentialName": "c"}),
]}

test_same_selector_port_and_host_is_denied if {
	gw_server_conflict.violation == {{
		"id": "gw-server-conflict",
		"message": "Gateway edge/public server spec.servers[1] claims host api.example.com on port 443, as Gateway prod/wild does for the same selector istio=ingressgateway,team=web",
		"details": {"field": "spec.servers[1]", "host": "api.example.com", "port": "443", "selector": "istio=ingressgateway,team=web", "conflictsWith": "prod/wild"},
	}} with input as review(spec)
		with data.meshguard.inventory as {"Gateway": {
			"prod": {"wild": gw("prod", "wild", {"team": "web", "istio": "ingressgateway"}, [tls_server(443, "HTTPS", ["*/*.example.com"], {"mode": "SIMPLE", "credentialName": "w"})])},
			"other": {
				"port": gw("other", "port", {"istio": "ingressgateway", "team": "web"}, [server(8080, "HTTP", ["shop.example.com"])]),
				"selector": gw("other", "selector", {"istio": "ingressgateway"}, [server(80, "HTTP", ["shop.example.com"])]),
			},
		}}
}

test_the_gateway_itself_is_not_a_conflict if {
	count(gw_server_conflict.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"Gateway": {"edge": {"public": gw("edge", "public", spec.selector, spec.servers)}}}
}

test_unknown_gateways_are_silent if {
	count(gw_server_conflict.violation) == 0 with input as review(spec)
}

test_delete_is_ignored if {
	count(gw_server_conflict.violation) == 0 with input as delete(spec)
		with data.meshguard.inventory as {"Gateway": {"prod": {"b": gw("prod", "b", spec.selector, spec.servers)}}}
}
