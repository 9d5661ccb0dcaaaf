# METADATA
# title: Shared helpers for meshguard rules
# description: Access to the admitted object, its namespace, the org config and the inventory.
package meshguard.lib

import data.meshguard.lib.istio

# The object under admission: the new version on CREATE and UPDATE, the stored object on DELETE
# (whose AdmissionReview carries oldObject and no object).
obj := input.request.object if {
	is_object(input.request.object)
} else := input.request.oldObject if {
	is_object(input.request.oldObject)
}

# The admitted object's kind as the inventory names it, e.g. "VirtualService"; a Gateway of the
# Gateway API (gateway.networking.k8s.io) is a "KubernetesGateway", so that the rules of Istio
# Gateways never judge it (src/inventory/kinds.ts).
kind := inventory_kind({"apiVersion": concat("/", [object.get(input.request.kind, "group", ""), "v"]), "kind": input.request.kind.kind})

# inventory_kind(o) is the kind the inventory stores object o under: its kind, except a Gateway of
# the Gateway API, which is a KubernetesGateway.
inventory_kind(o) := "KubernetesGateway" if {
	o.kind == "Gateway"
	startswith(object.get(o, "apiVersion", ""), "gateway.networking.k8s.io/")
} else := o.kind

# The admitted object's name (the request's name when the object has none).
name := object.get(obj.metadata, "name", "") if {
	object.get(obj.metadata, "name", "") != ""
} else := object.get(input.request, "name", "")

# The namespace the object lives in: the request's namespace, else the object's own.
namespace := input.request.namespace if {
	input.request.namespace != ""
} else := obj.metadata.namespace if {
	obj.metadata.namespace != ""
} else := "default"

# True when the request writes an object (CREATE or UPDATE), the only operations rules judge.
writes if input.request.operation in {"CREATE", "UPDATE"}

# operation is the request's operation: CREATE, UPDATE, DELETE or CONNECT.
operation := input.request.operation

# old_obj is the stored object an UPDATE replaces or a DELETE removes; undefined on CREATE.
old_obj := input.request.oldObject if is_object(input.request.oldObject)

# changes(k) holds when the request updates or deletes a stored object of inventory kind k: the
# requests whose referrers (admitted objects that name this one) referential rules check.
changes(k) if {
	operation in {"UPDATE", "DELETE"}
	kind == k
	old_obj
}

# is_kind(k) holds when the admitted object is of kind k and the request writes it.
is_kind(k) if {
	writes
	kind == k
}

default config := {}

config := data.meshguard.config

# param(rule_id, key, default_value) reads config.rules[rule_id].params[key], else the default.
param(rule_id, key, default_value) := value if {
	rules := object.get(config, "rules", {})
	rule := object.get(rules, rule_id, {})
	params := object.get(rule, "params", {})
	value := object.get(params, key, default_value)
}

default mesh_config := {}

# mesh_config is Istio's mesh config as meshguard read it (src/mesh/facts.ts): from the istio and
# istio-sidecar-injector ConfigMaps, or an IstioOperator given to check.
mesh_config := data.meshguard.meshConfig

# mesh(key, default_value) is a mesh-wide fact: Istio's mesh config (mesh_config[key]: e.g.
# rootNamespace, trustDomain, enableAutoMtls, outboundTrafficPolicy, dnsCapture, dnsAutoAllocate,
# defaultProviders, extensionProviders, injector), else the org config's mesh[key], else the
# default. Also data.meshguard.lib.istio.config(key, default_value).
mesh(key, default_value) := mesh_config[key] if {
	_ = mesh_config[key]
} else := object.get(object.get(config, "mesh", {}), key, default_value)

default inventory := {}

inventory := data.meshguard.inventory

# known(k) holds when the inventory carries kind k at all (an informer or the offline file set
# provides it), so that a rule can tell "no such object" from "not known here".
known(k) if inventory[k]

default inventory_scopes := {}

# inventory_scopes[k] lists the only namespaces kind k is watched in, for kinds the cluster view
# does not watch cluster-wide (Secrets: setting secretNamespaces). Absent: every namespace.
inventory_scopes := data.meshguard.inventory_scopes

# known_in(k, ns) holds when the inventory carries kind k for namespace ns.
known_in(k, _) if {
	known(k)
	not inventory_scopes[k]
}

known_in(k, ns) if {
	known(k)
	ns in inventory_scopes[k]
}

# index is the inventory's lookups, built once per change of the inventory (src/policy/
# inventory-index.ts): index[k] for the kinds that have one. Rules read it through lib functions
# (e.g. data.meshguard.lib.workloads.selected_by), which scan the inventory when it is absent.
index := data.meshguard.index

# indexed holds when the engine was given the inventory's index.
indexed if data.meshguard.index

# same_entry(w) holds when index entry w ({"kind", "name", "namespace", ...}) is the admitted object.
same_entry(w) if {
	w.kind == kind
	w.name == name
	w.namespace == namespace
}

# items(k) is every inventory object of kind k except the admitted object itself.
items(k) := [o |
	some ns, n
	o := inventory[k][ns][n]
	not same_object(o)
]

# with_host(k, full) is a set of inventory objects of kind k (the admitted object excepted) that
# holds every one declaring in spec.hosts a host that can resolve to or match host full: written
# as full, as the short name full resolves from, or as a wildcard. With the index it holds few
# more; without it (or for a wildcard full) it is items(k). Callers check the hosts themselves.
with_host(k, full) := {o |
	some ref in host_refs(k, full)
	o := inventory[k][ref[0]][ref[1]]
	not same_object(o)
} if {
	indexed
	is_string(full)
	not startswith(full, "*")
} else := {o | some o in items(k)}

host_refs(k, full) := {r |
	some key in ({full} | short_forms(full))
	some r in object.get(index, [k, "hosts", key], [])
} | {r | some r in object.get(index, [k, "wildcards"], [])}

# short_forms(full) is {"reviews"} for "reviews.<ns>.svc.<domain>", else {}.
short_forms(full) := {parts[0] |
	suffix := concat("", [".svc.", mesh_domain])
	endswith(full, suffix)
	parts := split(trim_suffix(full, suffix), ".")
	count(parts) == 2
}

# wildcard_hosted(k) is the set of inventory objects of kind k (the admitted object excepted) with
# a wildcard host in spec.hosts (with the index: those only; without it: items(k)).
wildcard_hosted(k) := {o |
	some ref in object.get(index, [k, "wildcards"], [])
	o := inventory[k][ref[0]][ref[1]]
	not same_object(o)
} if {
	indexed
} else := {o | some o in items(k)}

# gateways_with(part, values) is a set of the inventory's Istio Gateways (the admitted object
# excepted) holding every one with one of values in a server: part "hosts" (a host as written in
# servers[].hosts) or "certificates" (servers[].tls.credentialName or serverCertificate). Without
# the index: every Gateway.
gateways_with(part, values) := {o |
	some v in values
	some ref in object.get(index, ["Gateway", part, v], [])
	o := inventory.Gateway[ref[0]][ref[1]]
	not same_object(o)
} if {
	indexed
} else := {o | some o in items("Gateway")}

# items_in(k, ns) is every inventory object of kind k in namespace ns, except the admitted object.
items_in(k, ns) := [o |
	some n
	o := inventory[k][ns][n]
	not same_object(o)
]

same_object(o) if {
	object.get(o.metadata, "name", "") == name
	object.get(o.metadata, "namespace", "") == namespace
	inventory_kind(o) == kind
}

# namespace_labels(ns) is the labels of Namespace ns from the inventory, or {} when unknown.
namespace_labels(ns) := object.get(inventory.Namespace[""][ns].metadata, "labels", {}) if {
	inventory.Namespace[""][ns]
} else := object.get(obj.metadata, "labels", {}) if {
	kind == "Namespace"
	name == ns
} else := {}

# labels of the admitted object.
labels := object.get(obj.metadata, "labels", {})

# annotations of the admitted object.
annotations := object.get(obj.metadata, "annotations", {})

# in_mesh_namespace(ns) holds when namespace ns is known and enrolled in the mesh by one of the
# configured injection labels (istio-injection=enabled, istio.io/rev, or the ambient label).
in_mesh_namespace(ns) if {
	nslabels := namespace_labels(ns)
	some rule in mesh("meshLabels", default_mesh_labels)
	label_matches(nslabels, rule)
}

default_mesh_labels := [
	{"key": "istio-injection", "value": "enabled"},
	{"key": "istio.io/rev"},
	{"key": "istio.io/dataplane-mode", "value": "ambient"},
]

label_matches(lbls, rule) if {
	not rule.value
	lbls[rule.key]
}

label_matches(lbls, rule) if {
	lbls[rule.key] == rule.value
}

# namespace_known(ns) holds when the inventory has Namespace ns.
namespace_known(ns) if inventory.Namespace[""][ns]

# covers(ns, kinds) holds when the inventory can say that an object of one of kinds is absent from
# namespace ns: it has Namespace ns (the cluster view knows every namespace), or an object of one
# of kinds in ns (the files given to `meshguard check` cover that namespace). Like istioctl
# analyze, which reports "not found" only against what it loaded.
covers(ns, _) if namespace_known(ns)

covers(ns, kinds) if {
	some k in kinds
	count(object.get(inventory, [k, ns], {})) > 0
}

# mesh_domain is the cluster DNS suffix, "cluster.local" by default.
mesh_domain := mesh("clusterDomain", "cluster.local")

# fqdn(host, ns) resolves a host as Istio does (data.meshguard.lib.istio.fqdn): a short name
# "reviews" -> "reviews.<ns>.svc.<domain>"; names with a dot, "*" and IP addresses as written.
fqdn(host, ns) := istio.fqdn(host, ns)

# host_namespace(host, ns) is the namespace of a cluster-local service host, e.g.
# "reviews.prod.svc.cluster.local" -> "prod"; undefined for hosts outside the cluster domain.
host_namespace(host, ns) := istio.host_namespace(host, ns)
