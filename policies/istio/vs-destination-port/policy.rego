# METADATA
# title: VirtualService destinations to a multi-port service must name a port
# description: |
#   A destination (route, mirror or mirrors) without a port that leads to a Service or ServiceEntry
#   exposing more than one port is ambiguous (istioctl IST0112
#   VirtualServiceDestinationPortSelectorRequired). Hosts resolve as for vs-destination-host (see
#   data.meshguard.lib.routing); destinations that lead nowhere are vs-destination-host's finding.
#   Inventory: needs Service (ServiceEntry when present); silent when the inventory carries no
#   Services.
# custom:
#   id: vs-destination-port
#   severity: high
#   enforcement: deny
#   fix: 'Add destination.port.number naming the service port the route is for.'
#   why: 'the route to a multi-port service is ambiguous (traffic)'
#   kinds: [VirtualService]
#   istioCode: IST0112
package meshguard.rules.vs_destination_port

import data.meshguard.lib
import data.meshguard.lib.routing

violation contains {
	"id": "vs-destination-port",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " routes to ", host, " (", field, ") without a port, but ",
		t.source, " exposes ports ", ports, ": set the destination's port.number (IST0112: this VirtualService routes to a service \"",
		host, "\" that exposes multiple ports ", ports, ")",
	]),
	"details": {"field": field, "host": host, "ports": t.ports},
} if {
	lib.is_kind("VirtualService")
	routing.resolvable
	some x in routing.destination_list
	host := object.get(x.destination, "host", "")
	t := routing.targets[host]
	not is_number(object.get(object.get(x.destination, "port", {}), "number", null))
	count(t.ports) > 1
	ports := routing.port_list(t.ports)
	field := routing.destination_field(x)
}
