package meshguard.rules.amb_virtualservice_test

import data.meshguard.rules.amb_virtualservice

review(spec) := {"request": {
	"kind": {"kind": "VirtualService"},
	"namespace": "shop",
	"operation": "CREATE",
	"object": {"kind": "VirtualService", "metadata": {"name": "reviews", "namespace": "shop"}, "spec": spec},
}}

ambient := {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"istio.io/dataplane-mode": "ambient"}}}}}}

expected := {{
	"id": "amb-virtualservice",
	"message": "VirtualService shop/reviews routes mesh traffic in ambient namespace shop; Istio supports VirtualService with ambient waypoints as Alpha only and not mixed with Gateway API routes",
	"details": {"field": "spec.gateways"},
}}

test_mesh_virtual_service_warned if {
	amb_virtualservice.violation == expected with input as review({"hosts": ["reviews"]}) with data.meshguard.inventory as ambient
	amb_virtualservice.violation == expected with input as review({"hosts": ["reviews"], "gateways": ["edge/public", "mesh"]}) with data.meshguard.inventory as ambient
}

test_ingress_only_and_sidecar_namespaces_allowed if {
	count(amb_virtualservice.violation) == 0 with input as review({"hosts": ["shop.example.com"], "gateways": ["edge/public"]}) with data.meshguard.inventory as ambient
	count(amb_virtualservice.violation) == 0 with input as review({"hosts": ["reviews"]}) with data.meshguard.inventory as {"Namespace": {"": {"shop": {"metadata": {"name": "shop", "labels": {"istio-injection": "enabled"}}}}}}
}
