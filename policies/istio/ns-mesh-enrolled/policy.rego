# METADATA
# title: Namespaces must be enrolled in the mesh
# description: |
#   Every Namespace must carry one of the mesh labels of the org config (`mesh.meshLabels`:
#   istio-injection=enabled, istio.io/rev, or istio.io/dataplane-mode=ambient by default), so its
#   workloads get mTLS, policy and telemetry. `istio-injection=disabled` never enrols, and, as in
#   Istio's injection webhook, it also cancels an istio.io/rev label (the ambient label still
#   enrols). System namespaces are exempt (param `exemptNamespaces`, default kube-system,
#   kube-public, kube-node-lease, istio-system, meshguard). Needs no inventory.
# custom:
#   id: ns-mesh-enrolled
#   severity: high
#   enforcement: warn
#   fix: 'Label the namespace `istio-injection=enabled`, `istio.io/rev=<revision>` or `istio.io/dataplane-mode=ambient`, or add it to the param `exemptNamespaces` if it stays out of the mesh.'
#   why: 'a new namespace is usually labelled after it is created; blocking `kubectl create namespace` helps no one'
#   kinds: [Namespace]
package meshguard.rules.ns_mesh_enrolled

import data.meshguard.lib

default_exempt := ["kube-system", "kube-public", "kube-node-lease", "istio-system", "meshguard"]

sidecar_keys := {"istio-injection", "istio.io/rev"}

injection_disabled if lib.labels["istio-injection"] == "disabled"

enrolled if {
	some rule in lib.mesh("meshLabels", lib.default_mesh_labels)
	lib.label_matches(lib.labels, rule)
	not cancelled(rule)
}

cancelled(rule) if {
	injection_disabled
	rule.key in sidecar_keys
}

mesh_labels := [sprintf("%s=%s", [rule.key, object.get(rule, "value", "*")]) | some rule in lib.mesh("meshLabels", lib.default_mesh_labels)]

violation contains {
	"id": "ns-mesh-enrolled",
	"message": sprintf("Namespace %s is not enrolled in the mesh%s: label it with one of %s", [lib.name, reason, json.marshal(mesh_labels)]),
	"details": {"field": "metadata.labels", "labels": lib.labels, "meshLabels": mesh_labels},
} if {
	lib.is_kind("Namespace")
	not lib.name in lib.param("ns-mesh-enrolled", "exemptNamespaces", default_exempt)
	not enrolled
}

reason := " (istio-injection=disabled)" if injection_disabled

else := ""
