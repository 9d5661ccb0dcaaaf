package meshguard.rules.k8sgw_class_served_test

import data.meshguard.rules.k8sgw_class_served

gateway(class) := {"request": {
	"uid": "1",
	"kind": {"group": "gateway.networking.k8s.io", "version": "v1", "kind": "Gateway"},
	"namespace": "infra",
	"operation": "CREATE",
	"object": {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "public", "namespace": "infra"}, "spec": {"gatewayClassName": class, "listeners": []}},
}}

test_istio_classes_pass if {
	every class in ["istio", "istio-waypoint", "istio-remote"] {
		count(k8sgw_class_served.violation) == 0 with input as gateway(class)
	}
}

test_org_classes_and_existing_gateway_classes_pass if {
	count(k8sgw_class_served.violation) == 0 with input as gateway("istio-canary")
		with data.meshguard.config as {"rules": {"k8sgw-class-served": {"params": {"classes": ["istio-canary"]}}}}
	count(k8sgw_class_served.violation) == 0 with input as gateway("cloud-lb")
		with data.meshguard.inventory as {"GatewayClass": {"": {"cloud-lb": {"kind": "GatewayClass", "metadata": {"name": "cloud-lb"}}}}}
}

test_other_classes_warn if {
	k8sgw_class_served.violation == {{
		"id": "k8sgw-class-served",
		"message": "Gateway infra/public has gatewayClassName isito, which this mesh does not serve (istio, istio-remote, istio-waypoint) and no GatewayClass of that name exists",
		"details": {"field": "spec.gatewayClassName", "gatewayClassName": "isito"},
	}} with input as gateway("isito")
}
