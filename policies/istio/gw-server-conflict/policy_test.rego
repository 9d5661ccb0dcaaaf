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
		"message": "Gateway edge/public server spec.servers[1] conflicts with gateways other/list,prod/same (workload selector istio=ingressgateway,team=web, port 443, hosts ./api.example.com) (IST0145)",
		"details": {"field": "spec.servers[1]", "hosts": ["./api.example.com"], "port": "443", "selector": "istio=ingressgateway,team=web", "conflictsWith": ["other/list", "prod/same"]},
	}} with input as review(spec)
		with data.meshguard.inventory as {"Gateway": {
			"prod": {
				"same": gw("prod", "same", {"team": "web", "istio": "ingressgateway"}, [tls_server(443, "HTTPS", ["./api.example.com"], {"mode": "SIMPLE", "credentialName": "w"})]),
				"wild": gw("prod", "wild", {"team": "web", "istio": "ingressgateway"}, [tls_server(443, "HTTPS", ["*/*.example.com", "*/shop.example.com"], {"mode": "SIMPLE", "credentialName": "w"})]),
			},
			"other": {
				"list": gw("other", "list", {"istio": "ingressgateway", "team": "web"}, [server(8080, "HTTP", ["a.example.com"]), tls_server(443, "HTTPS", ["x.example.com", "./api.example.com"], {"mode": "SIMPLE", "credentialName": "l"})]),
				"port": gw("other", "port", {"istio": "ingressgateway", "team": "web"}, [server(8080, "HTTP", ["shop.example.com"])]),
				"bind": gw("other", "bind", {"istio": "ingressgateway", "team": "web"}, [object.union(server(80, "HTTP", ["shop.example.com"]), {"bind": "10.0.0.1"})]),
				"selector": gw("other", "selector", {"istio": "ingressgateway"}, [server(80, "HTTP", ["shop.example.com"])]),
			},
		}}
}

test_sub_selector_conflicts_when_a_workload_matches_both if {
	inv := {
		"Gateway": {"other": {"selector": gw("other", "selector", {"istio": "ingressgateway"}, [server(80, "HTTP", ["shop.example.com"])])}},
		"Deployment": {"istio-system": {"ingress": {"kind": "Deployment", "metadata": {"name": "ingress", "namespace": "istio-system"}, "spec": {"template": {"metadata": {"labels": {"istio": "ingressgateway", "team": "web"}}}}}}},
	}
	gw_server_conflict.violation == {{
		"id": "gw-server-conflict",
		"message": "Gateway edge/public server spec.servers[0] conflicts with gateways other/selector (workload selector istio=ingressgateway,team=web, port 80, hosts shop.example.com) (IST0145)",
		"details": {"field": "spec.servers[0]", "hosts": ["shop.example.com"], "port": "80", "selector": "istio=ingressgateway,team=web", "conflictsWith": ["other/selector"]},
	}} with input as review(spec)
		with data.meshguard.inventory as inv
	count(gw_server_conflict.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"Gateway": inv.Gateway, "Deployment": {"istio-system": {"ingress": {"kind": "Deployment", "metadata": {"name": "ingress", "namespace": "istio-system"}, "spec": {"template": {"metadata": {"labels": {"istio": "ingressgateway"}}}}}}}}
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

test_only_the_last_server_per_port_of_another_gateway_counts if {
	earlier_foo := gw("prod", "b", spec.selector, [server(80, "HTTP", ["shop.example.com"]), object.union(server(80, "HTTP", ["other.example.com"]), {"bind": "10.0.0.1"})])
	count(gw_server_conflict.violation) == 0 with input as review(spec)
		with data.meshguard.inventory as {"Gateway": {"prod": {"b": earlier_foo}}}
	last_foo := gw("prod", "b", spec.selector, [server(80, "HTTP", ["other.example.com"]), server(8080, "HTTP", ["x"]), server(80, "HTTP", ["shop.example.com"])])
	gw_server_conflict.violation == {{
		"id": "gw-server-conflict",
		"message": "Gateway edge/public server spec.servers[0] conflicts with gateways prod/b (workload selector istio=ingressgateway,team=web, port 80, hosts shop.example.com) (IST0145)",
		"details": {"field": "spec.servers[0]", "hosts": ["shop.example.com"], "port": "80", "selector": "istio=ingressgateway,team=web", "conflictsWith": ["prod/b"]},
	}} with input as review(spec)
		with data.meshguard.inventory as {"Gateway": {"prod": {"b": last_foo}}}
}

test_every_server_of_the_admitted_gateway_is_compared if {
	two := {"selector": spec.selector, "servers": [server(80, "HTTP", ["x.example.com"]), server(80, "HTTP", ["shop.example.com"])]}
	gw_server_conflict.violation == {{
		"id": "gw-server-conflict",
		"message": "Gateway edge/public server spec.servers[1] conflicts with gateways prod/b (workload selector istio=ingressgateway,team=web, port 80, hosts shop.example.com) (IST0145)",
		"details": {"field": "spec.servers[1]", "hosts": ["shop.example.com"], "port": "80", "selector": "istio=ingressgateway,team=web", "conflictsWith": ["prod/b"]},
	}} with input as review(two)
		with data.meshguard.inventory as {"Gateway": {"prod": {"b": gw("prod", "b", spec.selector, [server(80, "HTTP", ["shop.example.com"])])}}}
}
