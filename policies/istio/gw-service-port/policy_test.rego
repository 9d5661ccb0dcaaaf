package meshguard.rules.gw_service_port_test

import data.meshguard.rules.gw_service_port

review(ports) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "Gateway"},
	"namespace": "edge",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "Gateway",
		"metadata": {"name": "public", "namespace": "edge"},
		"spec": {"selector": {"istio": "ingressgateway"}, "servers": [{"port": {"number": p, "name": "p", "protocol": "HTTP"}, "hosts": ["*"]} | some p in ports]},
	},
}}

inventory := {
	"Deployment": {"istio-system": {"ingress": {"kind": "Deployment", "metadata": {"name": "ingress", "namespace": "istio-system"}, "spec": {"template": {"metadata": {"labels": {"istio": "ingressgateway"}}}}}}},
	"Service": {
		"istio-system": {"ingress": {"kind": "Service", "metadata": {"name": "ingress", "namespace": "istio-system"}, "spec": {"selector": {"istio": "ingressgateway"}, "ports": [
			{"name": "http2", "port": 80, "targetPort": 8080},
			{"name": "https", "port": 443, "targetPort": "https"},
			{"name": "dns", "port": 53, "protocol": "UDP"},
		]}}},
		"other": {"ingress": {"kind": "Service", "metadata": {"name": "ingress", "namespace": "other"}, "spec": {"selector": {"istio": "ingressgateway"}, "ports": [{"port": 9443}]}}},
	},
}

test_ports_no_service_exposes_warn if {
	gw_service_port.violation == {
		{
			"id": "gw-service-port",
			"message": "Gateway edge/public listens on port 53 (spec.servers[4].port.number), which no Service of its workloads (selector istio=ingressgateway) exposes (IST0162)",
			"details": {"field": "spec.servers[4].port.number", "port": 53},
		},
		{
			"id": "gw-service-port",
			"message": "Gateway edge/public listens on port 9443 (spec.servers[3].port.number), which no Service of its workloads (selector istio=ingressgateway) exposes (IST0162)",
			"details": {"field": "spec.servers[3].port.number", "port": 9443},
		},
	} with input as review([80, 8080, 443, 9443, 53])
		with data.meshguard.inventory as inventory
}

test_no_workload_or_no_services_known_is_silent if {
	count(gw_service_port.violation) == 0 with input as review([1234])
		with data.meshguard.inventory as {"Service": inventory.Service, "Deployment": {}}
	count(gw_service_port.violation) == 0 with input as review([1234])
		with data.meshguard.inventory as {"Deployment": inventory.Deployment}
}
