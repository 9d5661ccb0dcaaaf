# METADATA
# title: Injected workloads must not run as UID 1337
# description: |
#   UID 1337 is the sidecar proxy's user: Istio's iptables rules let its traffic bypass the proxy
#   to avoid loops. An application container running as 1337 (pod-level `securityContext.runAsUser`
#   or a container's own) therefore escapes the mesh: no mTLS, no policy, no telemetry (istioctl
#   IST0144 InvalidApplicationUID). As istioctl does, containers named istio-proxy or
#   istio-operator are skipped, and so is the control plane (an object labelled `istio`, or
#   `release: istio`). istioctl checks Pods and Deployments; in a cluster it therefore also reports
#   the Pods of every other controller, which meshguard reports earlier on their pod templates
#   (StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). istioctl rates IST0144 a Warning; the
#   default here is deny because the org config locks this rule as part of the mesh's security
#   boundary. Judged only for pods that get a sidecar as Istio's injector decides
#   (data.meshguard.lib.istio.injected: an injection namespace without an opt-out, or the pod's own
#   sidecar.istio.io/inject=true or istio.io/rev label); a namespace not in the inventory counts as
#   unlabelled.
# custom:
#   id: pod-uid-1337
#   severity: high
#   enforcement: deny
#   fix: 'Run the application container as a UID other than 1337 (securityContext.runAsUser), which is reserved for the sidecar proxy.'
#   why: 'the container''s traffic bypasses the sidecar (security)'
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob]
#   istioCode: IST0144
package meshguard.rules.pod_uid_1337

import data.meshguard.lib
import data.meshguard.lib.workloads

proxy_uid := 1337

skipped_containers := {"istio-proxy", "istio-operator"}

injected if {
	workloads.admitted
	not control_plane
	workloads.injected(workloads.template, lib.namespace)
}

# Istio's control plane (istioctl's IsIstioControlPlane): labelled `istio`, or `release: istio`.
control_plane if _ = lib.labels.istio

control_plane if lib.labels.release == "istio"

spec := object.get(workloads.template, "spec", {})

violation contains {
	"id": "pod-uid-1337",
	"message": sprintf("%s %s/%s runs its pod as UID 1337 (the sidecar's UID), so its traffic bypasses the proxy", [lib.kind, lib.namespace, lib.name]),
	"details": {"field": workloads.field(lib.kind, "spec.securityContext.runAsUser"), "runAsUser": proxy_uid},
} if {
	injected
	object.get(object.get(spec, "securityContext", {}), "runAsUser", null) == proxy_uid
}

violation contains {
	"id": "pod-uid-1337",
	"message": sprintf("%s %s/%s runs container %s as UID 1337 (the sidecar's UID), so its traffic bypasses the proxy", [lib.kind, lib.namespace, lib.name, c.name]),
	"details": {"field": workloads.field(lib.kind, sprintf("spec.containers[%d].securityContext.runAsUser", [i])), "runAsUser": proxy_uid, "container": c.name},
} if {
	injected
	some i, c in object.get(spec, "containers", [])
	not c.name in skipped_containers
	object.get(object.get(c, "securityContext", {}), "runAsUser", null) == proxy_uid
}
