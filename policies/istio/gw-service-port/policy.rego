# METADATA
# title: Gateway ports should be exposed by the gateway's Service
# description: |
#   A Gateway server port that no Service selecting the gateway's workloads exposes (as port or
#   numeric targetPort, TCP) cannot be reached through that Service (istioctl IST0162
#   GatewayPortNotDefinedOnService, gateway.IngressGatewayPortAnalyzer). Workloads are found as in
#   gw-selector-workload; Services in the workloads' namespaces whose selector matches their
#   labels. Inventory: needs Service and a workload kind; silent when either is not known or the
#   selector matches no workload (gw-selector-workload's finding).
# custom:
#   id: gw-service-port
#   severity: medium
#   enforcement: warn
#   fix: 'Expose the server port on the gateway''s Service (port or targetPort), or use a port the Service already exposes.'
#   why: 'the port is unreachable through the Service, but nothing that worked breaks'
#   kinds: [Gateway]
#   istioCode: IST0162
package meshguard.rules.gw_service_port

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing

violation contains {
	"id": "gw-service-port",
	"message": concat("", [
		"Gateway ", lib.namespace, "/", lib.name, " listens on port ", format_int(n, 10), " (spec.servers[", format_int(i, 10),
		"].port.number), which no Service of its workloads (selector ", networking.selector_string(lib.obj),
		") exposes (IST0162)",
	]),
	"details": {"field": concat("", ["spec.servers[", format_int(i, 10), "].port.number"]), "port": n},
} if {
	lib.is_kind("Gateway")
	lib.known("Service")
	count(routing.gateway_workloads) > 0
	some i, server in object.get(lib.obj.spec, "servers", [])
	n := object.get(object.get(server, "port", {}), "number", null)
	is_number(n)
	not n in routing.gateway_service_ports
}
