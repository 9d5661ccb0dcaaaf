package meshguard.rules.k8sgw_listener_conflict_test

import data.meshguard.rules.k8sgw_listener_conflict

gateway(listeners) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "Gateway"},
	"namespace": "infra",
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "public", "namespace": "infra"}, "spec": {"gatewayClassName": "istio", "listeners": listeners}},
}}

l(name, port, protocol, hostname) := {"name": name, "port": port, "protocol": protocol, "hostname": hostname}

test_compatible_listeners_pass if {
	count(k8sgw_listener_conflict.violation) == 0 with input as gateway([
		l("a", 80, "HTTP", "a.example.com"),
		l("b", 80, "HTTP", "b.example.com"),
		l("any", 80, "HTTP", ""),
		l("https", 443, "HTTPS", "a.example.com"),
		l("tls", 443, "TLS", "b.example.com"),
		l("tcp", 5432, "TCP", ""),
		{"name": "mesh", "port": 15008, "protocol": "HBONE"},
		{"name": "mesh2", "port": 15008, "protocol": "HBONE"},
	])
}

test_conflicting_listeners_are_denied if {
	k8sgw_listener_conflict.violation == {
		{
			"id": "k8sgw-listener-conflict",
			"message": "Gateway infra/public listeners http and https conflict on port 8443: protocols HTTP and HTTPS cannot share a port",
			"details": {"field": "spec.listeners[1]", "listeners": ["http", "https"], "port": 8443},
		},
		{
			"id": "k8sgw-listener-conflict",
			"message": "Gateway infra/public listeners tcp-a and tcp-b conflict on port 5432: TCP listeners have no hostname to tell them apart",
			"details": {"field": "spec.listeners[3]", "listeners": ["tcp-a", "tcp-b"], "port": 5432},
		},
		{
			"id": "k8sgw-listener-conflict",
			"message": "Gateway infra/public listeners https-a and tls-a conflict on port 443: both accept hostname a.example.com",
			"details": {"field": "spec.listeners[5]", "listeners": ["https-a", "tls-a"], "port": 443},
		},
	} with input as gateway([
		l("http", 8443, "HTTP", ""),
		l("https", 8443, "HTTPS", ""),
		l("tcp-a", 5432, "TCP", "a.example.com"),
		l("tcp-b", 5432, "TCP", "b.example.com"),
		l("https-a", 443, "HTTPS", "a.example.com"),
		l("tls-a", 443, "TLS", "a.example.com"),
	])
}
