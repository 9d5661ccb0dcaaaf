package meshguard.rules.ns_multiple_injection_labels_test

import data.meshguard.rules.ns_multiple_injection_labels

review(name, labels) := {"request": {
	"kind": {"kind": "Namespace"},
	"namespace": "",
	"operation": "CREATE",
	"object": {"kind": "Namespace", "metadata": {"name": name, "labels": labels}},
}}

test_injection_and_revision_warn if {
	ns_multiple_injection_labels.violation == {{
		"id": "ns-multiple-injection-labels",
		"message": "Namespace prod has more than one type of injection labels [istio-injection=enabled istio.io/rev=canary], which may lead to undefined behavior. Make sure only one injection label exists.",
		"details": {"field": "metadata.labels", "labels": ["istio-injection=enabled", "istio.io/rev=canary"]},
	}} with input as review("prod", {"istio-injection": "enabled", "istio.io/rev": "canary"})
}

test_revision_and_ambient_warn if {
	ns_multiple_injection_labels.violation == {{
		"id": "ns-multiple-injection-labels",
		"message": "Namespace prod has more than one type of injection labels [istio.io/rev=canary istio.io/dataplane-mode=ambient], which may lead to undefined behavior. Make sure only one injection label exists.",
		"details": {"field": "metadata.labels", "labels": ["istio.io/rev=canary", "istio.io/dataplane-mode=ambient"]},
	}} with input as review("prod", {"istio.io/dataplane-mode": "ambient", "istio.io/rev": "canary"})
}

test_single_or_disabled_allowed if {
	count(ns_multiple_injection_labels.violation) == 0 with input as review("prod", {"istio-injection": "enabled"})
	count(ns_multiple_injection_labels.violation) == 0 with input as review("prod", {"istio.io/rev": "canary"})
	count(ns_multiple_injection_labels.violation) == 0 with input as review("prod", {"istio-injection": "disabled", "istio.io/rev": "canary"})
	count(ns_multiple_injection_labels.violation) == 0 with input as review("prod", {})
}

test_istio_system_skipped if {
	count(ns_multiple_injection_labels.violation) == 0 with input as review("istio-system", {"istio-injection": "enabled", "istio.io/rev": "canary"})
}
