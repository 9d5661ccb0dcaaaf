# METADATA
# title: Helpers for the security and telemetry analyzers
# description: |
#   Selector checks shared by the Sidecar, Telemetry and AuthorizationPolicy analyzers. Workloads
#   are the pods and pod templates of data.meshguard.lib.workloads (Pods, Deployments,
#   StatefulSets, DaemonSets, ReplicaSets).
package meshguard.lib.security

import data.meshguard.lib.istio
import data.meshguard.lib.workloads

# selects_nothing(match_labels, ns) holds when a non-empty label set matches none of the workloads
# of namespace ns while ns holds at least one known workload. An empty namespace (objects applied
# before their workloads) or no workload kind in the inventory (cache miss) says nothing.
selects_nothing(match_labels, ns) if {
	is_object(match_labels)
	count(match_labels) > 0
	workloads.selectable_known
	candidates := workloads.workloads_in(ns)
	count(candidates) > 0
	not any_match(match_labels, candidates)
}

any_match(match_labels, candidates) if {
	some w in candidates
	istio.selects({"matchLabels": match_labels}, w.labels)
}

# selector_string(match_labels) renders labels as Kubernetes does: "k1=v1,k2=v2", keys sorted.
selector_string(match_labels) := concat(",", [sprintf("%s=%s", [k, match_labels[k]]) |
	some k in sort([key | some key, _ in match_labels])
])

# has_auto_image(spec) holds when a pod spec has the istio-proxy container with `image: auto`, the
# placeholder Istio's injector replaces (manual sidecar templates, gateway deployments).
has_auto_image(spec) if {
	some c in object.get(spec, "containers", [])
	object.get(c, "name", "") == "istio-proxy"
	object.get(c, "image", "") == "auto"
}
