# METADATA
# title: Networking helpers for meshguard rules
# description: |
#   Shared logic of the PeerAuthentication, DestinationRule, VirtualService and Gateway rules:
#   Go duration parsing ("1.5s", "200ms", "1m30s"; opa-wasm has no builtin for it), Istio host
#   matching with wildcards, cluster-local and in-mesh host tests, the namespace-wide mTLS mode
#   that PeerAuthentications give a namespace, DestinationRule traffic policies at every level,
#   VirtualService gateway references, and Gateway server hosts.
package meshguard.lib.networking

import data.meshguard.lib

# -----------------------------------------------------------------------------------------------
# Durations

# [multiplier, divisor] to milliseconds; sub-millisecond units divide so that "250us" is exactly 0.25.
duration_units := {
	"h": [3600000, 1],
	"m": [60000, 1],
	"s": [1000, 1],
	"ms": [1, 1],
	"us": [1, 1000],
	"µs": [1, 1000],
	"μs": [1, 1000],
	"ns": [1, 1000000],
}

duration_term := `([0-9]+(?:\.[0-9]+)?|\.[0-9]+)(ns|us|µs|μs|ms|h|m|s)`

# duration_ms(d) is Go/protobuf duration string d in milliseconds: "1.5s" -> 1500, "1m30s" ->
# 90000, "200ms" -> 200, "0" -> 0. Undefined when d is not a valid non-negative duration.
duration_ms(d) := 0 if d == "0"

duration_ms(d) := ms if {
	is_string(d)
	regex.match(duration_pattern, d)
	terms := regex.find_all_string_submatch_n(duration_term, d, -1)
	ms := sum([v | some t in terms; v := (to_number(leading_zero(t[1])) * duration_units[t[2]][0]) / duration_units[t[2]][1]])
}

duration_pattern := concat("", ["^(?:", duration_term, ")+$"])

leading_zero(s) := concat("", ["0", s]) if startswith(s, ".")

leading_zero(s) := s if not startswith(s, ".")

# -----------------------------------------------------------------------------------------------
# Hosts

# wildcard(h) holds for Istio wildcard hosts: "*" or "*<suffix>" such as "*.example.com".
wildcard(h) if startswith(h, "*")

# host_subset(h, w) holds when every name host h stands for is also covered by host w, as
# Istio's host.Name.SubsetOf: equal hosts, w == "*", or w == "*.x" and h ends in ".x" (h may
# itself be a narrower wildcard such as "*.a.x").
host_subset(h, h)

host_subset(_, "*")

host_subset(h, w) if {
	w != "*"
	wildcard(w)
	suffix := substring(w, 1, -1)
	endswith(trim_prefix(h, "*"), suffix)
}

# host_matches(a, b) holds when hosts a and b overlap (Istio's host.Name.Matches).
host_matches(a, b) if host_subset(a, b)

host_matches(a, b) if host_subset(b, a)

# concat, not sprintf: sprintf is the one builtin opa-wasm runs in JavaScript, outside the Wasm.
cluster_suffix := concat("", [".svc.", lib.mesh_domain])

# fqdn(host, ns) expands a short service name as Istio does ("reviews" ->
# "reviews.<ns>.svc.<clusterDomain>") and leaves wildcards and dotted names unchanged.
fqdn(host, _) := host if wildcard(host)

fqdn(host, ns) := lib.fqdn(host, ns) if not wildcard(host)

# cluster_local(host, ns) holds when host, seen from namespace ns, names Kubernetes services: a
# short name ("reviews"), a name under .svc.<clusterDomain>, or a wildcard that covers such
# names ("*", "*.local", "*.svc.cluster.local", "*.prod.svc.cluster.local").
cluster_local(host, ns) if endswith(fqdn(host, ns), cluster_suffix)

cluster_local(host, _) if host_subset(concat("", ["x.x", cluster_suffix]), host)

# service_namespace(host, ns) is the namespace of the services a cluster-local host names:
# "reviews" in ns -> ns, "reviews.prod.svc.cluster.local" -> "prod",
# "*.prod.svc.cluster.local" -> "prod". Undefined for wider wildcards and other hosts.
service_namespace(host, ns) := parts[count(parts) - 1] if {
	full := fqdn(host, ns)
	endswith(full, cluster_suffix)
	parts := split(trim_suffix(full, cluster_suffix), ".")
	count(parts) >= 2
	parts[count(parts) - 1] != "*"
}

# service_entry_host(host, ns) holds when a ServiceEntry of the inventory outside the mesh
# (location MESH_EXTERNAL, the default) declares a host that covers host (seen from namespace
# ns): such a host is not a service of the mesh. MESH_INTERNAL entries (VMs with sidecars) are.
service_entry_host(host, ns) if {
	some se in lib.with_host("ServiceEntry", fqdn(host, ns))
	spec := object.get(se, "spec", {})
	object.get(spec, "location", "MESH_EXTERNAL") != "MESH_INTERNAL"
	some h in object.get(spec, "hosts", [])
	host_subset(fqdn(host, ns), h)
}

# in_mesh_host(host, ns, unknown_in_mesh) holds when host, seen from namespace ns, is a service of
# the mesh: cluster-local, not a MESH_EXTERNAL ServiceEntry host, and its namespace enrolled. When
# the namespace is not in the inventory, unknown_in_mesh decides (the rules pass a param that
# defaults to true: fail closed). Wildcards over several namespaces count as in-mesh.
in_mesh_host(host, ns, unknown_in_mesh) if {
	cluster_local(host, ns)
	not service_entry_host(host, ns)
	mesh_namespace_ok(host, ns, unknown_in_mesh)
}

mesh_namespace_ok(host, ns, _) if not service_namespace(host, ns)

mesh_namespace_ok(host, ns, _) if lib.in_mesh_namespace(service_namespace(host, ns))

mesh_namespace_ok(host, ns, true) if not lib.namespace_known(service_namespace(host, ns))

# -----------------------------------------------------------------------------------------------
# PeerAuthentication

root_namespace := lib.mesh("rootNamespace", "istio-system")

# namespace_wide(pa) holds for a PeerAuthentication without a workload selector.
namespace_wide(pa) if count(object.get(object.get(object.get(pa, "spec", {}), "selector", {}), "matchLabels", {})) == 0

mtls_mode(pa) := object.get(object.get(object.get(pa, "spec", {}), "mtls", {}), "mode", "UNSET")

# namespace_mtls(ns) is {"mode", "policy"} of the selector-less PeerAuthentications that decide
# the mTLS mode of namespace ns: those of ns itself when one sets a mode other than UNSET, else
# those of the root namespace. A set: several policies may (wrongly) compete.
namespace_mtls(ns) := own if {
	own := mtls_policies(ns)
	count(own) > 0
} else := mtls_policies(root_namespace)

mtls_policies(ns) := {{"mode": mode, "policy": sprintf("%s/%s", [ns, object.get(pa.metadata, "name", "")])} |
	some pa in lib.items_in("PeerAuthentication", ns)
	namespace_wide(pa)
	mode := mtls_mode(pa)
	mode != "UNSET"
}

# -----------------------------------------------------------------------------------------------
# DestinationRule

# traffic_policies(spec) lists every traffic policy of a DestinationRule spec as
# {"field", "policy", "port", "subset"}: spec.trafficPolicy, its portLevelSettings[i], each
# subset's trafficPolicy and that policy's portLevelSettings[j]. port and subset are "" when
# not applicable; port-level entries carry the port number.
traffic_policies(spec) := array.concat(
	policy_levels(object.get(spec, "trafficPolicy", {}), "spec.trafficPolicy", ""),
	[p |
		some i, subset in object.get(spec, "subsets", [])
		some p in policy_levels(
			object.get(subset, "trafficPolicy", {}),
			concat("", ["spec.subsets[", format_int(i, 10), "].trafficPolicy"]),
			object.get(subset, "name", ""),
		)
	],
)

policy_levels(tp, field, subset) := array.concat(
	[{"field": field, "policy": tp, "port": "", "subset": subset} | is_object(tp)],
	[{"field": concat("", [field, ".portLevelSettings[", format_int(i, 10), "]"]), "policy": pls, "port": port_number(pls), "subset": subset} |
		is_object(tp)
		some i, pls in object.get(tp, "portLevelSettings", [])
	],
)

port_number(pls) := format_int(n, 10) if {
	n := object.get(object.get(pls, "port", {}), "number", "")
	is_number(n)
} else := ""

# verification_problems(tls) is the set of reasons a DestinationRule's client TLS settings do not
# verify the server certificate: no caCertificates nor credentialName, or insecureSkipVerify.
verification_problems(tls) := {problem |
	some problem, found in {
		"neither caCertificates nor credentialName is set": no_ca(tls),
		"insecureSkipVerify is true": object.get(tls, "insecureSkipVerify", false) == true,
	}
	found
}

no_ca(tls) if {
	object.get(tls, "caCertificates", "") == ""
	object.get(tls, "credentialName", "") == ""
} else := false

# -----------------------------------------------------------------------------------------------
# VirtualService

# gateways(vs) is the VirtualService's spec.gateways; none means the mesh gateway.
gateways(vs) := gws if {
	gws := object.get(vs.spec, "gateways", [])
	count(gws) > 0
} else := ["mesh"]

# bound_to_mesh(vs) holds when the VirtualService applies to sidecars (the "mesh" gateway).
bound_to_mesh(vs) if "mesh" in gateways(vs)

# gateway_ref(ref, ns) is {"namespace", "name"} of gateway reference ref made by a
# VirtualService in namespace ns: "ns/name", "name" (the VirtualService's namespace) or the
# legacy "name.ns[.svc.cluster.local]".
gateway_ref(ref, ns) := {"namespace": parts[0], "name": parts[1]} if {
	contains(ref, "/")
	parts := split(ref, "/")
} else := {"namespace": parts[1], "name": parts[0]} if {
	contains(ref, ".")
	parts := split(ref, ".")
} else := {"namespace": ns, "name": ref}

# -----------------------------------------------------------------------------------------------
# Gateway

# server_host(entry, gw_ns) splits a Gateway server host "ns/host" into {"namespace", "host"}:
# "./h" is the Gateway's own namespace, "*/h" and a bare "h" any namespace ("*").
server_host(entry, gw_ns) := {"namespace": ns, "host": parts[1]} if {
	contains(entry, "/")
	parts := split(entry, "/")
	ns := gw_ns_of(parts[0], gw_ns)
} else := {"namespace": "*", "host": entry}

gw_ns_of(".", gw_ns) := gw_ns

gw_ns_of(ns, _) := ns if ns != "."

# protocol(server) is the server's port protocol in upper case (Istio accepts any case).
protocol(server) := upper(object.get(object.get(server, "port", {}), "protocol", ""))

# tls_mode(server) is the server's tls.mode, "" when unset.
tls_mode(server) := object.get(object.get(server, "tls", {}), "mode", "")

# port_of(server) is the server's port number as a string ("" when unset).
port_of(server) := port_number(server)

# selector_string(gw) prints a Gateway's selector as istioctl does: "k1=v1,k2=v2", sorted.
selector_string(gw) := concat(",", sort([sprintf("%s=%s", [k, v]) | some k, v in object.get(object.get(gw, "spec", {}), "selector", {})]))
