# METADATA
# title: VirtualService fault injection only where allowed, and within caps
# description: |
#   Fault injection (spec.http[].fault delay or abort) breaks real traffic, so it is only
#   accepted in namespaces that allow it: listed in the param `faultInjectionNamespaces`, or
#   labelled `meshguard.io/allow-fault-injection: "true"` (the label key is the param
#   `namespaceLabel`; the label is read from the inventory's Namespace, so an unknown namespace
#   does not allow it). There, the share of requests faulted must not exceed `maxPercentage`
#   (a fault without percentage applies to 100% of requests; the deprecated integer `percent` is
#   read too) and a delay (fixedDelay or exponentialDelay) must not exceed `maxDelay`.
# custom:
#   id: vs-fault-injection
#   severity: high
#   enforcement: deny
#   fix: 'Inject faults only in a namespace labelled `meshguard.io/allow-fault-injection: "true"` or listed in the param `faultInjectionNamespaces`, within the params `maxPercentage` and `maxDelay`.'
#   why: 'faults break real traffic (traffic)'
#   kinds: [VirtualService]
package meshguard.rules.vs_fault_injection

import data.meshguard.lib
import data.meshguard.lib.networking

rule_id := "vs-fault-injection"

faults contains {"index": i, "fault": rule.fault} if {
	lib.is_kind("VirtualService")
	some i, rule in object.get(lib.obj.spec, "http", [])
	is_object(rule.fault)
	count(rule.fault) > 0
}

allowed_namespace if lib.namespace in lib.param(rule_id, "faultInjectionNamespaces", [])

namespace_label := lib.param(rule_id, "namespaceLabel", "meshguard.io/allow-fault-injection")

allowed_namespace if lib.namespace_labels(lib.namespace)[namespace_label] == "true"

violation contains {
	"id": rule_id,
	"message": sprintf("VirtualService %s/%s injects faults (spec.http[%d].fault) in namespace %s, which does not allow fault injection", [lib.namespace, lib.name, f.index, lib.namespace]),
	"details": {
		"field": sprintf("spec.http[%d].fault", [f.index]), "namespace": lib.namespace,
		"fix": sprintf("Label namespace %s %s: \"true\" or list it in the param faultInjectionNamespaces, or remove the fault.", [lib.namespace, namespace_label]),
	},
} if {
	some f in faults
	not allowed_namespace
}

violation contains {
	"id": rule_id,
	"message": sprintf("VirtualService %s/%s injects a %s into %s%% of requests (spec.http[%d].fault.%s), above the cap of %s%%", [lib.namespace, lib.name, kind, format_number(pct), f.index, kind, format_number(cap)]),
	"details": {"field": sprintf("spec.http[%d].fault.%s.percentage", [f.index, kind]), "percentage": pct, "max": cap},
} if {
	some f in faults
	allowed_namespace
	some kind in ["delay", "abort"]
	is_object(f.fault[kind])
	pct := percentage(f.fault[kind])
	cap := lib.param(rule_id, "maxPercentage", 50)
	pct > cap
}

violation contains {
	"id": rule_id,
	"message": sprintf("VirtualService %s/%s injects a delay of %s (spec.http[%d].fault.delay.%s), above the cap of %s", [lib.namespace, lib.name, delay, f.index, key, cap]),
	"details": {"field": sprintf("spec.http[%d].fault.delay.%s", [f.index, key]), "delay": delay, "max": cap},
} if {
	some f in faults
	allowed_namespace
	some key in ["fixedDelay", "exponentialDelay"]
	delay := f.fault.delay[key]
	cap := lib.param(rule_id, "maxDelay", "10s")
	networking.duration_ms(delay) > networking.duration_ms(cap)
}

# percentage(f) is the share of requests a delay or abort applies to: percentage.value, else
# the deprecated percent, else 100 (Istio faults every request when neither is set).
percentage(f) := f.percentage.value if is_number(f.percentage.value)

percentage(f) := f.percent if {
	not has_percentage(f)
	is_number(f.percent)
}

percentage(f) := 100 if {
	not has_percentage(f)
	not has_percent(f)
}

has_percentage(f) if is_number(f.percentage.value)

has_percent(f) if is_number(f.percent)

# format_number(n) prints 10 as "10" and 12.5 as "12.5" (sprintf has only %s and %d in opa-wasm).
format_number(n) := format_int(n, 10) if n == floor(n)

format_number(n) := json.marshal(n) if n != floor(n)
