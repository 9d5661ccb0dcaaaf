# Host names and exportTo in the mesh model: host resolution and matching as Istio does them, and
# exportTo visibility; part of data.meshguard.lib.istio (see istio.rego), with the same answers
# as src/mesh/hosts.ts and src/mesh/visibility.ts.
package meshguard.lib.istio

import data.meshguard.lib

# -----------------------------------------------------------------------------------------------
# Host names

# domain is the cluster DNS suffix (org config mesh.clusterDomain), "cluster.local" by default.
domain := lib.mesh("clusterDomain", "cluster.local")

# fqdn(host, ns) resolves a host as Istio does (ResolveShortnameToFQDN): a name without a dot is
# a short name in namespace ns ("reviews" -> "reviews.<ns>.svc.<domain>"); "*", IP addresses and
# every name with a dot ("reviews.prod" included) are taken as written.
fqdn(host, ns) := concat("", [host, ".", ns, ".svc.", domain]) if {
	short_name(host)
} else := host

short_name(host) if {
	host != ""
	host != "*"
	not contains(host, ".")
	not contains(host, ":")
}

# host_namespace(host, ns) is the namespace of a cluster-local service host
# ("reviews.prod.svc.cluster.local" -> "prod"); undefined for any other host.
host_namespace(host, ns) := parts[count(parts) - 1] if {
	full := fqdn(host, ns)
	suffix := concat("", [".svc.", domain])
	endswith(full, suffix)
	parts := split(trim_suffix(full, suffix), ".")
	count(parts) >= 2
}

# host_matches(a, b) is Istio's host.Name.Matches: the names overlap (a wildcard covers every
# name under it; "*" covers everything).
host_matches(a, b) if a == b

host_matches(a, b) if {
	startswith(a, "*")
	not startswith(b, "*")
	endswith(b, substring(a, 1, -1))
}

host_matches(a, b) if {
	startswith(b, "*")
	not startswith(a, "*")
	endswith(a, substring(b, 1, -1))
}

host_matches(a, b) if {
	startswith(a, "*")
	startswith(b, "*")
	wildcards_overlap(substring(a, 1, -1), substring(b, 1, -1))
}

wildcards_overlap(x, y) if endswith(x, y)

wildcards_overlap(x, y) if endswith(y, x)

# -----------------------------------------------------------------------------------------------
# exportTo

# visible(o, from_ns) holds when object o (Service, ServiceEntry, VirtualService,
# DestinationRule) is exported to namespace from_ns; visible(o, "*") holds when o is exported to
# every namespace.
visible(o, from_ns) if {
	some scope in export_scopes(o)
	scope in {"*", from_ns}
}

# export_scopes(o) is the set of scopes object o is exported to, as istioctl keys its host maps:
# "*" (every namespace) or namespace names ("." resolved to o's own namespace; "~" is no scope).
export_scopes(o) := {scope |
	own := object.get(as_object(object.get(o, "metadata", {})), "namespace", "")
	some entry in export_list(o)
	entry != "~"
	scope := own_scope(entry, own)
}

own_scope(".", own) := own

own_scope(entry, _) := entry if entry != "."

# visible_in(o, scopes) holds when o is exported to one of scopes ("*" or namespace names).
visible_in(o, scopes) if {
	some scope in scopes
	visible(o, scope)
}

export_list(o) := list if {
	list := declared_exports(o)
	count(list) > 0
} else := config(default_export_key[o.kind], ["*"]) if {
	default_export_key[o.kind]
} else := ["*"]

declared_exports(o) := [trim_space(e) |
	some e in split(object.get(annotations_of(o), "networking.istio.io/exportTo", ""), ",")
	trim_space(e) != ""
] if {
	o.kind == "Service"
} else := object.get(as_object(object.get(o, "spec", {})), "exportTo", [])

default_export_key := {
	"Service": "defaultServiceExportTo",
	"ServiceEntry": "defaultServiceExportTo",
	"VirtualService": "defaultVirtualServiceExportTo",
	"DestinationRule": "defaultDestinationRuleExportTo",
}
