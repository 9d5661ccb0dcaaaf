# METADATA
# title: Workload helpers for meshguard rules
# description: |
#   Pod-template extraction for Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job and
#   CronJob; the sidecar injection decision as Istio's injector makes it; Kubernetes label-selector
#   matching; and the workloads of the inventory that an Istio selector can match. Kubernetes
#   quantities are read by data.meshguard.lib.quantity.
package meshguard.lib.workloads

import data.meshguard.lib
import data.meshguard.lib.istio

# Kinds whose pod template the pod rules judge.
template_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"}

# Kinds whose pod labels an Istio workload selector is matched against (IST0127 and friends).
selectable_kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]

# True when the request writes an object that carries a pod template.
admitted if {
	lib.writes
	lib.kind in template_kinds
}

# The admitted object's pod template ({"metadata": ..., "spec": ...}).
template := pod_template(lib.kind, lib.obj) if admitted

# pod_template(kind, o) is the pod template of object o of that kind: the Pod itself, the
# CronJob's spec.jobTemplate.spec.template, else spec.template. Missing parts read as {}.
pod_template(kind, o) := {"metadata": as_object(object.get(o, "metadata", {})), "spec": as_object(object.get(o, "spec", {}))} if {
	kind == "Pod"
}

pod_template(kind, o) := as_object(object.get(job_spec, "template", {})) if {
	kind == "CronJob"
	spec := as_object(object.get(o, "spec", {}))
	job := as_object(object.get(spec, "jobTemplate", {}))
	job_spec := as_object(object.get(job, "spec", {}))
}

pod_template(kind, o) := as_object(object.get(as_object(object.get(o, "spec", {})), "template", {})) if {
	kind in template_kinds
	not kind in {"Pod", "CronJob"}
}

# field(kind, rest) is the field path of `rest` (a path inside a pod template) in an object of
# that kind, e.g. field("Deployment", "metadata.labels") == "spec.template.metadata.labels".
field(kind, rest) := rest if kind == "Pod"

field(kind, rest) := concat(".", ["spec.jobTemplate.spec.template", rest]) if kind == "CronJob"

field(kind, rest) := concat(".", ["spec.template", rest]) if {
	kind in template_kinds
	not kind in {"Pod", "CronJob"}
}

# Labels and annotations of a pod template (or of any object with metadata).
labels_of(t) := as_object(object.get(as_object(object.get(t, "metadata", {})), "labels", {}))

annotations_of(t) := as_object(object.get(as_object(object.get(t, "metadata", {})), "annotations", {}))

as_object(x) := x if is_object(x)

as_object(x) := {} if not is_object(x)

# -----------------------------------------------------------------------------------------------
# Sidecar injection

inject_key := "sidecar.istio.io/inject"

# injection_setting(t) is {"value", "source"} of the pod template's injection switch: the
# sidecar.istio.io/inject LABEL when present (Istio's injector prefers it), else the annotation.
injection_setting(t) := {"value": as_string(labels_of(t)[inject_key]), "source": "label"} if {
	has_key(labels_of(t), inject_key)
} else := {"value": as_string(annotations_of(t)[inject_key]), "source": "annotation"} if {
	has_key(annotations_of(t), inject_key)
}

# injection_decision(t) is "enabled", "disabled" or "default" exactly as Istio's injector reads
# the switch: y/yes/true/on (any case) enable, "" or absent defer to the namespace, anything
# else disables.
injection_decision(t) := "default" if {
	not injection_setting(t)
} else := "default" if {
	injection_setting(t).value == ""
} else := "enabled" if {
	lower(injection_setting(t).value) in {"y", "yes", "true", "on"}
} else := "disabled"

# injected(t, ns) holds when Istio injects a sidecar into pod template t in namespace ns
# (data.meshguard.lib.istio.injected: the injector's webhooks, policy and selectors).
injected(t, ns) if istio.injected(t, ns)

# ambient(t) holds when the admitted object's pod template t runs in ambient mode (ztunnel, no
# sidecar: data.meshguard.lib.istio.dataplane), where the sidecar-only rules do not apply.
ambient(t) if istio.dataplane(t, lib.namespace) == "ambient"

as_string(x) := x if is_string(x)

as_string(x) := json.marshal(x) if not is_string(x)

has_key(o, k) if _ = o[k]

# -----------------------------------------------------------------------------------------------
# Label selectors

# matches_labels(want, lbls) holds when every key/value of want is in lbls (an Istio
# workloadSelector.labels map or a matchLabels map). An empty map matches everything
# (data.meshguard.lib.istio.selects with matchLabels only).
matches_labels(want, lbls) if istio.selects({"matchLabels": want}, lbls)

# matches_selector(sel, lbls) holds when lbls satisfy the Kubernetes LabelSelector sel
# (data.meshguard.lib.istio.selects).
matches_selector(sel, lbls) if istio.selects(sel, lbls)

# True when the inventory carries at least one kind of workload a selector can match.
selectable_known if {
	some k in selectable_kinds
	lib.known(k)
}

# workloads_in(ns) lists the inventory's selectable workloads in namespace ns as
# {"kind", "name", "namespace", "labels"} (labels of the pod template).
workloads_in(ns) := [w |
	some k in selectable_kinds
	some o in lib.items_in(k, ns)
	w := workload_entry(k, o)
]

# covers(ns) holds when the inventory can say that namespace ns runs no workload with given
# labels: data.meshguard.lib.covers for the selectable kinds.
covers(ns) if lib.covers(ns, selectable_kinds)

# all_workloads lists the selectable workloads of every namespace.
all_workloads := [w |
	some k in selectable_kinds
	some o in lib.items(k)
	w := workload_entry(k, o)
]

# any_workload holds when the inventory has a selectable workload other than the admitted object
# (count(all_workloads) > 0, without listing them).
any_workload if {
	lib.indexed
	some k in selectable_kinds
	lib.index[k].count > count_admitted(k)
}

any_workload if {
	not lib.indexed
	count(all_workloads) > 0
}

# count_admitted(k) is 1 when the admitted object is a stored workload of kind k, else 0.
count_admitted(k) := 1 if {
	admitted_stored.kind == k
} else := 0

# selected_by(want) lists the selectable workloads of every namespace (the admitted object
# excepted) whose pod labels hold every key/value of the matchLabels map want, in the order of
# all_workloads; an empty map selects every one. With the inventory's index, the candidates are
# the workloads carrying want's first label, not every workload.
selected_by(want) := [w |
	some k in selectable_kinds
	some w in object.get(lib.index, [k, "labels", key, want[key]], [])
	not lib.same_entry(w)
	matches_labels(want, w.labels)
] if {
	lib.indexed
	key := index_key(want)
} else := [w |
	some w in all_workloads
	matches_labels(want, w.labels)
]

# selects_any(want) holds when selected_by(want) is not empty, without listing every match. With
# the inventory's index it reads the distinct pod label sets holding want's rarest label or pair
# of labels (label_sets), not the workloads; an empty want is any_workload.
selects_any(want) if any_selected(want)

any_selected(want) := count([c |
	some c in label_sets(want)
	c.set.count > admitted_in_set(c.kind, c.set)
	matches_labels(want, c.set.labels)
]) > 0 if {
	set_lookup(want)
} else if {
	lib.indexed
	want == {}
	any_workload
} else := false if {
	lib.indexed
	want == {}
} else := count([w |
	some w in all_workloads
	matches_labels(want, w.labels)
]) > 0

# selects_any_in(want, ns) holds when a selectable workload of namespace ns (the admitted object
# excepted) has every key/value of the matchLabels map want in its pod labels.
selects_any_in(want, ns) if any_selected_in(want, ns)

any_selected_in(want, ns) := count([c |
	some c in label_sets(want)
	object.get(c.set.namespaces, ns, 0) > admitted_in_namespace_set(c.kind, c.set, ns)
	matches_labels(want, c.set.labels)
]) > 0 if {
	set_lookup(want)
} else if {
	lib.indexed
	want == {}
	any_workload_in(ns)
} else := false if {
	lib.indexed
	want == {}
} else := count([w |
	some w in workloads_in(ns)
	matches_labels(want, w.labels)
]) > 0

# any_workload_in(ns) holds when namespace ns has a selectable workload other than the admitted
# object (count(workloads_in(ns)) > 0, without listing them).
any_workload_in(ns) if {
	lib.indexed
	some k in selectable_kinds
	object.get(lib.index, [k, "namespaces", ns], 0) > admitted_in_namespace(k, ns)
}

any_workload_in(ns) if {
	not lib.indexed
	count(workloads_in(ns)) > 0
}

# set_lookup(want) holds when label_sets(want) can answer: the index is given and want is a
# non-empty map of string values.
set_lookup(want) if {
	lib.indexed
	is_object(want)
	count(want) > 0
	every v in want {
		is_string(v)
	}
}

# index_key(want) is the label key looked up in the index, when every value of want is a string:
# the one with the fewest workloads.
index_key(want) := min(sizes)[1] if {
	is_object(want)
	count(want) > 0
	every v in want {
		is_string(v)
	}
	sizes := [[n, k] |
		some k, v in want
		n := sum([count(object.get(lib.index, [kind, "labels", k, v], [])) | some kind in selectable_kinds])
	]
}

# label_sets(want) lists {"kind", "set"} for the index's distinct pod label sets that hold want's
# rarest label or pair of labels (a superset of the sets holding all of want; want is a map of
# string values). Pairs are tried for selectors of up to max_paired_selector labels.
label_sets(want) := [{"kind": k, "set": lib.index[k].sets[i]} |
	some k in selectable_kinds
	some i in set_ids(k, path)
] if {
	path := min([[n, p] |
		some p in set_paths(want)
		n := sum([count(set_ids(k, p)) | some k in selectable_kinds])
	])[1]
}

max_paired_selector := 8

# set_paths(want) is the index paths of want's labels and, for small selectors, of its pairs.
set_paths(want) := {["setsByLabel", k, v] | some k, v in want} if {
	count(want) > max_paired_selector
} else := {["setsByLabel", k, v] | some k, v in want} | {["setsByPair", k1, v1, k2, v2] |
	some k1, v1 in want
	some k2, v2 in want
	k1 < k2
}

# set_ids(k, p) is the positions in index[k].sets at path p; a pair's includes the label sets
# too large to be paired (inventory-index.ts MAX_PAIRED_LABELS).
set_ids(k, p) := object.get(lib.index, array.concat([k], p), []) if {
	p[0] == "setsByLabel"
} else := array.concat(object.get(lib.index, array.concat([k], p), []), object.get(lib.index, [k, "unpaired"], []))

# admitted_in_set(k, s) is 1 when the admitted object is a stored workload of kind k whose pod
# labels are label set s (it is not its own match), else 0.
admitted_in_set(k, s) := 1 if {
	admitted_stored.kind == k
	admitted_stored.labels == s.labels
} else := 0

admitted_in_namespace_set(k, s, ns) := admitted_in_set(k, s) if {
	ns == lib.namespace
} else := 0

admitted_in_namespace(k, ns) := count_admitted(k) if {
	ns == lib.namespace
} else := 0

# admitted_stored is {"kind", "labels"} of the stored version of the admitted object when it is a
# selectable workload (its pod labels as the index holds them); undefined otherwise.
admitted_stored := {"kind": lib.kind, "labels": labels_of(pod_template(lib.kind, o))} if {
	lib.kind in selectable_kinds
	o := lib.inventory[lib.kind][lib.namespace][lib.name]
	o.kind == lib.kind
}

workload_entry(k, o) := {
	"kind": k,
	"name": object.get(o.metadata, "name", ""),
	"namespace": object.get(o.metadata, "namespace", ""),
	"labels": labels_of(pod_template(k, o)),
}
