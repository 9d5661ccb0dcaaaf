# METADATA
# title: Gateways must not claim the same selector, port and host
# description: |
#   Two Gateways for the same gateway workload that both declare a server on the same port for the
#   same host configure the same listener twice; which one wins is undefined (istioctl IST0145
#   ConflictingGateways, gateway.ConflictingGatewayAnalyzer). As istioctl: selectors are equal when
#   their sorted "k=v,..." strings are equal, or when one string contains the other and some
#   workload matches both (sub-selectors; workloads are the inventory's Pods, Deployments,
#   StatefulSets, DaemonSets and ReplicaSets, so without them only equal selectors are compared);
#   hosts conflict when the same host string, as written, is bound to the same `bind` address on
#   the same port (no wildcard matching), where only the last server of another Gateway on a port
#   counts for that port, as istioctl's map of Gateways keeps it; each server of the admitted
#   Gateway is reported once, naming every conflicting Gateway. Inventory: needs Gateway; when the inventory does not carry
#   that kind (or holds no other Gateway) the rule stays silent.
# custom:
#   id: gw-server-conflict
#   severity: high
#   enforcement: deny
#   fix: 'Serve the host from one Gateway, or give the servers different ports or hosts.'
#   why: 'which Gateway wins the listener is undefined (traffic)'
#   kinds: [Gateway]
#   istioCode: IST0145
package meshguard.rules.gw_server_conflict

import data.meshguard.lib
import data.meshguard.lib.networking
import data.meshguard.lib.workloads

violation contains {
	"id": "gw-server-conflict",
	"message": concat("", [
		"Gateway ", lib.namespace, "/", lib.name, " server spec.servers[", format_int(i, 10), "] conflicts with gateways ",
		concat(",", names), " (workload selector ", selector, ", port ", port, ", hosts ", concat(",", hosts), ") (IST0145)",
	]),
	"details": {"field": concat("", ["spec.servers[", format_int(i, 10), "]"]), "hosts": hosts, "port": port, "selector": selector, "conflictsWith": names},
} if {
	lib.is_kind("Gateway")
	some i, server in object.get(lib.obj.spec, "servers", [])
	port := networking.port_of(server)
	hosts := object.get(server, "hosts", [])
	bind := object.get(server, "bind", "")
	names := sort([x.name |
		some x in same_workload
		x.bound[port][bind][_] in hosts
	])
	count(names) > 0
}

selector := networking.selector_string(lib.obj)

# same_workload lists the other Gateways istioctl sees on the same gateway workload, each as
# {"name": "ns/name", "bound": {port: {bind: [host]}}}.
same_workload := [{"name": concat("/", [object.get(o.metadata, "namespace", ""), object.get(o.metadata, "name", "")]), "bound": bound(o)} |
	some o in candidates
	same_selector(networking.selector_string(o))
]

# candidates are the Gateways that declare one of the admitted Gateway's hosts (as written), the
# only ones that can conflict with it.
candidates := lib.gateways_with("hosts", {h | some s in object.get(lib.obj.spec, "servers", []); some h in object.get(s, "hosts", []); is_string(h)})

# bound(o) keeps, per port, only the hosts of the last server of o on that port, each bound to that
# server's bind: istioctl's initGatewaysMap overwrites a Gateway's entry for a port with each
# server it reads. The servers are sorted by [port, index] so that the last one per port is the one
# followed by another port (linear after the sort).
bound(o) := {port: {bind: hosts} |
	ps := sort([[networking.port_of(s), j] | some j, s in object.get(o.spec, "servers", [])])
	some x, t in ps
	last_of_port(ps, x)
	port := t[0]
	server := o.spec.servers[t[1]]
	bind := object.get(server, "bind", "")
	hosts := object.get(server, "hosts", [])
}

last_of_port(ps, x) if x == count(ps) - 1

last_of_port(ps, x) if ps[x + 1][0] != ps[x][0]

same_selector(other) if other == selector

same_selector(other) if {
	other != selector
	sub_selector(other)
	some w in workloads.selected_by(object.get(lib.obj.spec, "selector", {}))
	workloads.matches_labels(selector_map(other), w.labels)
}

sub_selector(other) if contains(other, selector)

sub_selector(other) if contains(selector, other)

selector_map(s) := {kv[0]: kv[1] |
	some pair in split(s, ",")
	kv := split(pair, "=")
	count(kv) == 2
}
