# METADATA
# title: DestinationRule hosts should match a service of the mesh
# description: |
#   A DestinationRule whose host names no Kubernetes Service or ServiceEntry visible to it applies
#   to nothing (istioctl IST0174 UnknownDestinationRuleHost, destinationrule.SubsetSelectPodAnalyzer).
#   The host resolves as a VirtualService destination does (see data.meshguard.lib.routing): short
#   names in the DestinationRule's namespace, Service and ServiceEntry exportTo, the
#   DestinationRule's own exportTo, wildcard ServiceEntry hosts. A wildcard DestinationRule host
#   such as "*.local" matches a service only through a ServiceEntry wildcard that covers it, as in
#   istioctl. Inventory: needs Service (ServiceEntry when present); silent when the inventory
#   carries no Services.
# custom:
#   id: dr-host-exists
#   severity: medium
#   enforcement: warn
#   fix: 'Correct spec.host to a Service or ServiceEntry host visible from this namespace, or create that Service first.'
#   why: 'the rule applies to nothing yet; it may be applied before its Service'
#   kinds: [DestinationRule]
#   istioCode: IST0174
package meshguard.rules.dr_host_exists

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.routing

violation contains {
	"id": "dr-host-exists",
	"message": concat("", [
		"DestinationRule ", lib.namespace, "/", lib.name, " host ", host,
		" (spec.host) matches no Service or ServiceEntry visible to it (IST0174: the host ", host,
		" defined in the DestinationRule does not match any services in the mesh)",
	]),
	"details": {"field": "spec.host", "host": host},
} if {
	lib.is_kind("DestinationRule")
	routing.resolvable
	host := object.get(lib.obj.spec, "host", "")
	not routing.resolve(networking.fqdn(host, lib.namespace))
}
