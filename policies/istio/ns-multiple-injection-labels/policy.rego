# METADATA
# title: Namespaces must carry only one injection label
# description: |
#   A Namespace labelled for more than one data plane or injector (istio-injection together with
#   istio.io/rev, or either with istio.io/dataplane-mode) leaves which one applies undefined
#   (istioctl IST0123 NamespaceMultipleInjectionLabels). Same condition as istioctl: the labels
#   counted are `istio-injection` (any value), and `istio.io/rev` and `istio.io/dataplane-mode`
#   (any value) unless `istio-injection` is present with a value other than `enabled` (which
#   turns injection off and wins); more than one is reported. The namespace istio-system is
#   skipped, as istioctl does. Needs no inventory.
# custom:
#   id: ns-multiple-injection-labels
#   severity: medium
#   enforcement: warn
#   fix: 'Keep one of istio-injection, istio.io/rev and istio.io/dataplane-mode on the namespace and remove the others.'
#   why: 'which data plane applies is undefined, but pods keep running'
#   kinds: [Namespace]
#   istioCode: IST0123
package meshguard.rules.ns_multiple_injection_labels

import data.meshguard.lib

violation contains {
	"id": "ns-multiple-injection-labels",
	"message": sprintf("Namespace %s has more than one type of injection labels [%s], which may lead to undefined behavior. Make sure only one injection label exists.", [lib.name, concat(" ", found)]),
	"details": {"field": "metadata.labels", "labels": found},
} if {
	lib.is_kind("Namespace")
	lib.name != "istio-system"
	count(found) > 1
}

injection_label := "istio-injection"

# The injection labels in istioctl's order: istio-injection, then istio.io/rev and
# istio.io/dataplane-mode when istio-injection is absent or "enabled".
found := array.concat(legacy, [sprintf("%s=%s", [k, lib.labels[k]]) |
	some k in ["istio.io/rev", "istio.io/dataplane-mode"]
	_ = lib.labels[k]
	not legacy_disables
])

legacy := [sprintf("%s=%s", [injection_label, lib.labels[injection_label]])] if {
	_ = lib.labels[injection_label]
} else := []

legacy_disables if lib.labels[injection_label] != "enabled"
