# METADATA
# title: ServiceEntries must agree on the protocol of a host and port
# description: |
#   When ServiceEntries define the same host and port with different protocols, which protocol
#   Istio uses for the port is undefined (istioctl IST0177 ConflictingServiceEntryProtocol). Same
#   condition as istioctl: entries are keyed by exportTo scope, host (compared exactly) and port
#   number; scopes overlap when they are equal or one is exported to every namespace (`*` or no
#   exportTo; `.` is the entry's own namespace); protocols compare case-insensitively and an unset
#   protocol counts as its own value. The admitted ServiceEntry is compared with itself and with
#   the ServiceEntries of the inventory (indexed once by the admitted hosts); when ServiceEntry
#   is not known only the object itself is checked.
# custom:
#   id: se-protocol-conflict
#   severity: medium
#   enforcement: warn
#   fix: 'Give the host and port the same protocol in every ServiceEntry, or merge them into one.'
#   why: 'which protocol applies is undefined, but one still does'
#   kinds: [ServiceEntry]
#   istioCode: IST0177
package meshguard.rules.se_protocol_conflict

import data.meshguard.lib
import data.meshguard.lib.istio

violation contains {
	"id": "se-protocol-conflict",
	"message": sprintf("ServiceEntry %s/%s: multiple ServiceEntries (%s) define the same host %s and port %d with conflicting protocols (%s)", [lib.namespace, lib.name, concat(", ", names), key.host, key.port, concat(", ", protocols)]),
	"details": {"field": "spec.ports", "host": key.host, "port": key.port, "serviceEntries": names, "protocols": protocols},
} if {
	lib.is_kind("ServiceEntry")
	some key in {{"host": m.host, "port": m.port} | some m in mine}
	group := [e |
		some e in array.concat(mine, others)
		e.host == key.host
		e.port == key.port
		some m in mine
		m.host == key.host
		m.port == key.port
		overlaps(m.scope, e.scope)
	]
	protocols := sort({protocol_name(e.protocol) | some e in group})
	count(protocols) > 1
	names := sort({e.name | some e in group})
}

# entries(o) lists {scope, host, port, protocol, name} for each exportTo scope, host and port of o.
entries(o) := [e |
	spec := object.get(o, "spec", {})
	ns := object.get(o.metadata, "namespace", lib.namespace)
	some scope in scopes(o, ns)
	some host in object.get(spec, "hosts", [])
	some port in object.get(spec, "ports", [])
	e := {
		"scope": scope,
		"host": host,
		"port": object.get(port, "number", 0),
		"protocol": upper(object.get(port, "protocol", "")),
		"name": sprintf("%s/%s", [ns, object.get(o.metadata, "name", "")]),
	}
]

# scopes(o, ns) is the export scope of ServiceEntry o in namespace ns as istioctl keys it: {"*"}
# when exported to every namespace, else its scopes (data.meshguard.lib.istio.export_scopes).
scopes(o, ns) := {"*"} if {
	"*" in istio.export_scopes(as_entry(o, ns))
} else := istio.export_scopes(as_entry(o, ns))

as_entry(o, ns) := object.union(o, {"kind": "ServiceEntry", "metadata": {"namespace": ns}})

overlaps(a, a)

overlaps("*", _)

overlaps(_, "*")

mine := entries(lib.obj)

my_hosts := {m.host | some m in mine}

# Entries of the inventory's ServiceEntries on the admitted hosts, looked up by host.
others := [e |
	some o in candidates
	some host in object.get(object.get(o, "spec", {}), "hosts", [])
	host in my_hosts
	some e in entries(o)
	e.host == host
]

# candidates are the inventory's ServiceEntries that may declare one of the admitted hosts.
candidates := {o |
	some h in my_hosts
	some o in lib.with_host("ServiceEntry", h)
}

protocol_name("") := "(unset)"

protocol_name(p) := p if p != ""
