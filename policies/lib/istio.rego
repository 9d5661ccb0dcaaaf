# METADATA
# title: The mesh model for meshguard rules
# description: |
#   Mesh facts defined once, as Istio computes them, with the same answers as src/mesh/ (the
#   tables in policies/lib/testdata/mesh/ are run by both): label selectors, sidecar injection and
#   the dataplane of a pod, host names (short names, FQDNs, wildcards), exportTo visibility, the
#   workload that owns a pod, and Istio's mesh config (data.meshguard.meshConfig, read from the
#   istio and istio-sidecar-injector ConfigMaps or an IstioOperator, with the org config's mesh:
#   section as fallback).
package meshguard.lib.istio

import data.meshguard.lib

# -----------------------------------------------------------------------------------------------
# Istio's mesh config

# config(key, default_value) is a fact of Istio's mesh config (rootNamespace, trustDomain,
# enableAutoMtls, outboundTrafficPolicy, dnsCapture, dnsAutoAllocate, defaultProviders,
# extensionProviders, injector, default*ExportTo), else the org config's mesh[key], else the
# default (the same as lib.mesh).
config(key, default_value) := lib.mesh(key, default_value)

# -----------------------------------------------------------------------------------------------
# Label selectors

# selects(selector, lbls) holds when lbls satisfy the Kubernetes LabelSelector selector
# (matchLabels, and matchExpressions with In, NotIn, Exists, DoesNotExist). An empty selector
# selects everything; an unknown operator selects nothing.
selects(selector, lbls) if {
	every k, v in as_object(object.get(selector, "matchLabels", {})) {
		lbls[k] == v
	}
	every e in object.get(selector, "matchExpressions", []) {
		expression_holds(e, lbls)
	}
}

expression_holds(e, lbls) if {
	e.operator == "In"
	lbls[e.key] in object.get(e, "values", [])
}

expression_holds(e, lbls) if {
	e.operator == "NotIn"
	not value_in(lbls, e.key, object.get(e, "values", []))
}

expression_holds(e, lbls) if {
	e.operator == "Exists"
	has_key(lbls, e.key)
}

expression_holds(e, lbls) if {
	e.operator == "DoesNotExist"
	not has_key(lbls, e.key)
}

value_in(lbls, key, values) if lbls[key] in values

# -----------------------------------------------------------------------------------------------
# Sidecar injection and dataplane

inject_key := "sidecar.istio.io/inject"

rev_key := "istio.io/rev"

injection_ns_key := "istio-injection"

dataplane_key := "istio.io/dataplane-mode"

# Namespaces Istio's injector never injects.
ignored_namespaces := {"kube-system", "kube-public"}

# injected(t, ns) holds when Istio injects a sidecar into pod template t in namespace ns, with
# the namespace's labels from the inventory ({} when unknown) and the injector settings of the
# mesh config.
injected(t, ns) if injected_with(t, ns, known_labels(ns), config("injector", {}))

# dataplane(t, ns) is "sidecar", "ambient" or "none" for pod template t in namespace ns.
dataplane(t, ns) := dataplane_with(t, ns, known_labels(ns), config("injector", {}))

# known_labels(ns) is the namespace's labels, or null when the namespace is not known.
known_labels(ns) := lib.namespace_labels(ns) if {
	lib.namespace_known(ns)
} else := lib.namespace_labels(ns) if {
	lib.kind == "Namespace"
	lib.name == ns
} else := null

# injected_with(t, ns, ns_labels, injector): one of Istio's injection webhooks selects the pod
# and the injector's injectRequired agrees. ns_labels null: the namespace is not known; then the
# pod's own opt-in (switch on, or an istio.io/rev label) stands for an injection namespace.
injected_with(t, ns, ns_labels, injector) if {
	webhook_selects(t, ns_labels)
	inject_required(t, ns, injector)
}

dataplane_with(t, ns, ns_labels, injector) := "sidecar" if {
	injected_with(t, ns, ns_labels, injector)
} else := "ambient" if {
	ambient_requested(t, ns_labels)
	object.get(labels_of(t), dataplane_key, "") != "none"
	not host_network(t)
} else := "none"

ambient_requested(_, ns_labels) if object.get(as_object(ns_labels), dataplane_key, "") == "ambient"

ambient_requested(t, _) if labels_of(t)[dataplane_key] == "ambient"

# The webhooks of Istio's chart (namespace., object., rev.namespace., rev.object.).
webhook_selects(t, null) if {
	lower(switch_value(t)) in {"y", "yes", "true", "on"}
}

webhook_selects(t, null) if {
	has_key(labels_of(t), rev_key)
	not labels_of(t)[inject_key] == "false"
}

webhook_selects(t, ns_labels) if {
	is_object(ns_labels)
	ns_labels[injection_ns_key] == "enabled"
	not labels_of(t)[inject_key] == "false"
}

webhook_selects(t, ns_labels) if {
	is_object(ns_labels)
	not has_key(ns_labels, injection_ns_key)
	has_key(ns_labels, rev_key)
	not labels_of(t)[inject_key] == "false"
}

webhook_selects(t, ns_labels) if {
	is_object(ns_labels)
	not has_key(ns_labels, injection_ns_key)
	not has_key(ns_labels, rev_key)
	labels_of(t)[inject_key] == "true"
	not has_key(labels_of(t), rev_key)
}

webhook_selects(t, ns_labels) if {
	is_object(ns_labels)
	not has_key(ns_labels, injection_ns_key)
	not has_key(ns_labels, rev_key)
	has_key(labels_of(t), rev_key)
	not labels_of(t)[inject_key] == "false"
}

# Istio's injectRequired.
inject_required(t, ns, injector) if {
	not host_network(t)
	not ns in ignored_namespaces
	choice := switch_choice(t, injector)
	policy_allows(object.get(injector, "policy", "enabled"), choice)
}

policy_allows("enabled", choice) if choice != "off"

policy_allows("disabled", "on")

# switch_choice(t, injector) is "on", "off" or "default": the pod's switch (the label when
# present, else the annotation), then neverInjectSelector, then alwaysInjectSelector.
switch_choice(t, injector) := "on" if {
	lower(switch_value(t)) in {"y", "yes", "true", "on"}
} else := "off" if {
	switch_value(t) != ""
} else := "off" if {
	some s in object.get(injector, "neverInjectSelector", [])
	selects(s, labels_of(t))
} else := "on" if {
	some s in object.get(injector, "alwaysInjectSelector", [])
	selects(s, labels_of(t))
} else := "default"

switch_value(t) := as_string(labels_of(t)[inject_key]) if {
	has_key(labels_of(t), inject_key)
} else := as_string(annotations_of(t)[inject_key]) if {
	has_key(annotations_of(t), inject_key)
} else := ""

host_network(t) if as_object(object.get(t, "spec", {})).hostNetwork == true

# -----------------------------------------------------------------------------------------------
# Workload ownership

# owner(pod) is {"kind", "name"} of the workload that owns a pod, as Istio names it: for a pod
# with a generateName, its controller, where a ReplicaSet named <name>-<pod-template-hash> is
# Deployment <name> and a Job named <name>-<8 to 11 digits> is CronJob <name>; else the pod.
owner(pod) := named if {
	meta := as_object(object.get(pod, "metadata", {}))
	object.get(meta, "generateName", "") != ""
	some ref in object.get(meta, "ownerReferences", [])
	ref.controller == true
	named := controller_name(ref, object.get(as_object(object.get(meta, "labels", {})), "pod-template-hash", ""))
} else := {"kind": "Pod", "name": object.get(as_object(object.get(pod, "metadata", {})), "name", "")}

controller_name(ref, hash) := {"kind": "Deployment", "name": trim_suffix(ref.name, concat("", ["-", hash]))} if {
	ref.kind == "ReplicaSet"
	hash != ""
	endswith(ref.name, hash)
} else := {"kind": "CronJob", "name": trim_suffix(ref.name, concat("", ["-", stamp[1]]))} if {
	ref.kind == "Job"
	stamp := regex.find_all_string_submatch_n(`^.+-([0-9]{8,11})$`, ref.name, 1)[0]
} else := {"kind": ref.kind, "name": ref.name}

# -----------------------------------------------------------------------------------------------

labels_of(t) := as_object(object.get(as_object(object.get(t, "metadata", {})), "labels", {}))

annotations_of(t) := as_object(object.get(as_object(object.get(t, "metadata", {})), "annotations", {}))

as_object(x) := x if is_object(x)

as_object(x) := {} if not is_object(x)

as_string(x) := x if is_string(x)

as_string(x) := json.marshal(x) if not is_string(x)

has_key(o, k) if _ = o[k]
