# METADATA
# title: Gateway gatewayClassName must be one this mesh serves
# description: |
#   A Gateway API Gateway is programmed only by the controller of its GatewayClass. Istio serves
#   the classes istio, istio-waypoint and istio-remote; the org adds its own (params.classes).
#   A Gateway of another class is left alone by Istio: reported unless a GatewayClass of that name
#   exists (another controller of the cluster then serves it). Inventory: GatewayClass when known.
# custom:
#   id: k8sgw-class-served
#   api: gateway-api
#   severity: medium
#   enforcement: warn
#   kinds: [KubernetesGateway]
#   fix: Set gatewayClassName to istio (istio-waypoint for a waypoint), or add the class to rules.k8sgw-class-served.params.classes when this mesh serves it.
package meshguard.rules.k8sgw_class_served

import data.meshguard.lib
import data.meshguard.lib.gateway_api

istio_classes := {"istio", "istio-waypoint", "istio-remote"}

served := istio_classes | {c | some c in lib.param("k8sgw-class-served", "classes", [])}

violation contains {
	"id": "k8sgw-class-served",
	"message": sprintf("%s %s/%s has gatewayClassName %s, which this mesh does not serve (%s) and no GatewayClass of that name exists", [gateway_api.api_kind, lib.namespace, lib.name, class, concat(", ", sort(served))]),
	"details": {"field": "spec.gatewayClassName", "gatewayClassName": class},
} if {
	gateway_api.is_gateway
	class := object.get(lib.obj.spec, "gatewayClassName", "")
	not class in served
	not lib.inventory.GatewayClass[""][class]
}
