# METADATA
# title: Workloads in mesh namespaces must not opt out of sidecar injection
# description: |
#   A Pod, or the pod template of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob,
#   that turns injection off with `sidecar.istio.io/inject` runs outside the mesh: no mTLS, no
#   AuthorizationPolicy, no telemetry. The switch is read exactly as Istio's injector reads it: the
#   LABEL wins over the annotation (label "true" + annotation "false" is injected; label "false"
#   disables even with annotation "true"), and any value other than y/yes/true/on (or empty)
#   disables. Reported in mesh namespaces (lib.in_mesh_namespace). When the namespace is not in the
#   inventory (e.g. `meshguard check` without a Namespace document), the object's own labels and
#   annotations decide alone: an explicit opt-out is reported. Workloads that must stay out of the
#   mesh are exempted through the org config's exemptions. Ambient pods (data.meshguard.lib.istio.
#   dataplane) are in the mesh without a sidecar, so the switch is not reported for them.
# custom:
#   id: pod-injection-disabled
#   severity: high
#   enforcement: deny
#   fix: 'Remove the `sidecar.istio.io/inject: "false"` label or annotation so the pod joins the mesh; a workload that must stay out needs an exemption.'
#   why: 'a pod outside the mesh has no mTLS, policy or telemetry (security)'
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
package meshguard.rules.pod_injection_disabled

import data.meshguard.lib
import data.meshguard.lib.workloads

violation contains {
	"id": "pod-injection-disabled",
	"message": sprintf("%s %s/%s turns sidecar injection off with the %s %s=\"%s\"%s", [lib.kind, lib.namespace, lib.name, setting.source, workloads.inject_key, setting.value, where]),
	"details": {
		"field": sprintf("%s[%s]", [workloads.field(lib.kind, sprintf("metadata.%ss", [setting.source])), workloads.inject_key]),
		"source": setting.source,
		"value": setting.value,
		"namespace": lib.namespace,
		"namespaceKnown": known,
	},
} if {
	workloads.admitted
	t := workloads.template
	workloads.injection_decision(t) == "disabled"
	not workloads.ambient(t)
	setting := workloads.injection_setting(t)
	some known, where in scope
}

# scope maps "is the namespace known" to the message suffix; it is empty when the namespace is
# known and not part of the mesh.
scope[true] := sprintf(" in mesh namespace %s", [lib.namespace]) if {
	lib.namespace_known(lib.namespace)
	lib.in_mesh_namespace(lib.namespace)
}

scope[false] := sprintf(" (namespace %s is not known, so the opt-out decides)", [lib.namespace]) if {
	not lib.namespace_known(lib.namespace)
}
