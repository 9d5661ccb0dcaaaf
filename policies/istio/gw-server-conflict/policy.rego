# METADATA
# title: Gateways must not claim the same selector, port and host
# description: |
#   Two Gateways with the same workload selector that both declare a server on the same port for
#   overlapping hosts configure the same listener twice; which one wins is undefined (istioctl
#   IST0145 ConflictingGateways). Selectors are compared as istioctl does (equal label sets), hosts
#   without their namespace part, with wildcards matching both ways. Inventory: needs Gateway;
#   when the inventory does not carry that kind (or holds no other Gateway) the rule stays silent.
# custom:
#   id: gw-server-conflict
#   severity: high
#   enforcement: deny
#   kinds: [Gateway]
#   istioCode: IST0145
package meshguard.rules.gw_server_conflict

import data.meshguard.lib
import data.meshguard.lib.networking

violation contains {
	"id": "gw-server-conflict",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] claims host %s on port %s, as Gateway %s/%s does for the same selector %s", [lib.namespace, lib.name, i, host, port, other_ns, other_name, selector]),
	"details": {"field": sprintf("spec.servers[%d]", [i]), "host": host, "port": port, "selector": selector, "conflictsWith": sprintf("%s/%s", [other_ns, other_name])},
} if {
	lib.is_kind("Gateway")
	selector := networking.selector_string(lib.obj)
	some other in lib.items("Gateway")
	networking.selector_string(other) == selector
	some i, server in object.get(lib.obj.spec, "servers", [])
	port := networking.port_of(server)
	some other_server in object.get(other.spec, "servers", [])
	networking.port_of(other_server) == port
	some entry in object.get(server, "hosts", [])
	host := networking.server_host(entry, lib.namespace).host
	some other_entry in object.get(other_server, "hosts", [])
	networking.host_matches(host, networking.server_host(other_entry, "").host)
	other_ns := object.get(other.metadata, "namespace", "")
	other_name := object.get(other.metadata, "name", "")
}
