# METADATA
# title: ServiceEntry with TCP ports needs addresses
# description: |
#   Without `addresses`, a ServiceEntry port whose protocol is TCP or unset gets a listener on
#   0.0.0.0:<port> that captures every TCP connection on that port and collides with other
#   services using it (istioctl IST0134 ServiceEntryAddressesRequired). Same condition as
#   istioctl: no addresses, whatever the resolution, and a port with protocol "" or TCP (compared
#   case-insensitively here). Set param `autoAllocate: true` when the mesh enables DNS capture
#   with address auto-allocation (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE), as
#   istioctl then stays silent too. Needs no inventory.
# custom:
#   id: se-addresses-required
#   severity: medium
#   enforcement: warn
#   kinds: [ServiceEntry]
#   istioCode: IST0134
package meshguard.rules.se_addresses_required

import data.meshguard.lib

violation contains {
	"id": "se-addresses-required",
	"message": sprintf("ServiceEntry %s/%s has no addresses but port %d uses protocol %s: Istio needs virtual IPs for TCP ports", [lib.namespace, lib.name, number, protocol]),
	"details": {"field": sprintf("spec.ports[%d].protocol", [i]), "port": number, "protocol": protocol},
} if {
	lib.is_kind("ServiceEntry")
	lib.param("se-addresses-required", "autoAllocate", false) != true
	no_addresses(lib.obj.spec)
	some i, port in object.get(lib.obj.spec, "ports", [])
	raw := object.get(port, "protocol", "")
	upper(raw) in {"", "TCP"}
	protocol := protocol_name(raw)
	number := object.get(port, "number", 0)
}

protocol_name("") := "(unset)"

protocol_name(p) := p if p != ""

no_addresses(spec) if not spec.addresses

no_addresses(spec) if count(spec.addresses) == 0
