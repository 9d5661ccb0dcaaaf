# METADATA
# title: VirtualService destinations must lead to a Service or ServiceEntry
# description: |
#   Every destination host of a VirtualService (http, tcp and tls route destinations, http mirror
#   and mirrors) must name a Kubernetes Service or a ServiceEntry host visible to the
#   VirtualService, and a destination port must be one that Service or ServiceEntry exposes;
#   otherwise the route leads nowhere and requests fail (istioctl IST0101 ReferencedResourceNotFound,
#   virtualservice.DestinationHostAnalyzer: "Referenced host not found", "Referenced mirror host
#   not found", "Referenced host:port not found"). Hosts resolve as istioctl resolves them (see
#   data.meshguard.lib.routing): short names in the VirtualService's namespace, exportTo of the
#   Service (networking.istio.io/exportTo annotation), the ServiceEntry and the VirtualService,
#   and wildcard ServiceEntry hosts. Inventory: needs Service (ServiceEntry when present); when the
#   inventory does not carry Services (`meshguard check` given no Service) the rule stays silent.
#   A missing host is reported only when the inventory covers its namespace (that of a
#   `name.namespace.svc.<domain>` or short host, else the VirtualService's): the Namespace is
#   known, or a Service of that namespace was given. In a cluster every namespace is known;
#   offline, hosts of namespaces whose Services were not given stay silent, as istioctl reports
#   only against what it loaded. A port a found target does not expose is always reported.
# custom:
#   id: vs-destination-host
#   severity: high
#   enforcement: deny
#   fix: 'Correct the destination host to a Service or ServiceEntry visible from this namespace (and a port it exposes), or create that Service first.'
#   why: 'requests routed there fail (traffic)'
#   kinds: [VirtualService]
#   istioCode: IST0101
package meshguard.rules.vs_destination_host

import data.meshguard.lib
import data.meshguard.lib.istio
import data.meshguard.lib.routing

violation contains finding(x, concat("", [x.reftype, " not found: \"", host, "\""]), ", but no Service or ServiceEntry visible to it has that host", "") if {
	lib.is_kind("VirtualService")
	routing.resolvable
	some x in routing.destination_list
	host := object.get(x.destination, "host", "")
	not routing.targets[host]
	lib.covers(host_namespace(host), {"Service"})
}

# host_namespace(host) is where a missing host is judged: the namespace of a cluster-local service
# host (short names are in the VirtualService's namespace), else the VirtualService's namespace.
host_namespace(host) := ns if {
	ns := istio.host_namespace(host, lib.namespace)
} else := lib.namespace

violation contains finding(x, concat("", ["host:port not found: \"", host, ":", port, "\""]), concat("", [", but ", t.source, " does not expose port ", port]), port) if {
	lib.is_kind("VirtualService")
	routing.resolvable
	some x in routing.destination_list
	host := object.get(x.destination, "host", "")
	t := routing.targets[host]
	n := object.get(object.get(x.destination, "port", {}), "number", null)
	is_number(n)
	not n in t.ports
	port := format_int(n, 10)
}

finding(x, istio, why, port) := {
	"id": "vs-destination-host",
	"message": concat("", [
		"VirtualService ", lib.namespace, "/", lib.name, " routes to ", object.get(x.destination, "host", ""),
		" (", field, ")", why, " (Referenced ", istio, ")",
	]),
	"details": object.union(
		{"field": field, "host": object.get(x.destination, "host", "")},
		{"port": port | port != ""},
	),
} if {
	field := routing.destination_field(x)
}
