# METADATA
# title: ServiceEntry with TCP ports needs addresses
# description: |
#   Without `addresses`, a ServiceEntry port whose protocol is TCP or unset gets a listener on
#   0.0.0.0:<port> that captures every TCP connection on that port and collides with other
#   services using it (istioctl IST0134 ServiceEntryAddressesRequired). Same condition as
#   istioctl: no addresses, whatever the resolution, and a port with protocol "" or TCP (compared
#   case-insensitively here). Silent, as istioctl is, when Istio already allocated addresses
#   (`status.addresses` is set) or when the mesh auto-allocates them: the mesh config fact
#   `dnsAutoAllocate` (ISTIO_META_DNS_CAPTURE with ISTIO_META_DNS_AUTO_ALLOCATE or
#   PILOT_ENABLE_IP_AUTOALLOCATE in `defaultConfig.proxyMetadata`), or the rule's param
#   `autoAllocate: true`. Depends on the mesh config; needs no inventory.
# custom:
#   id: se-addresses-required
#   severity: medium
#   enforcement: warn
#   fix: 'Set spec.addresses to the service''s IPs or CIDRs, give the port an application protocol, or set the param `autoAllocate: true` when Istio allocates addresses.'
#   why: 'the listener may capture other TCP traffic on the port; a risk to review'
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
	not auto_allocated
	no_addresses(lib.obj.spec)
	not status_allocated
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

auto_allocated if lib.mesh("dnsAutoAllocate", false) == true

auto_allocated if lib.param("se-addresses-required", "autoAllocate", false) == true

status_allocated if count(object.get(object.get(lib.obj, "status", {}), "addresses", [])) > 0
