# METADATA
# title: One selector-less Telemetry per namespace
# description: |
#   A Telemetry without `selector` (or with empty matchLabels) and without targetRef(s) applies to
#   the whole namespace (the whole mesh in the root namespace). With two of them in one namespace,
#   which one wins is undefined (istioctl IST0160 MultipleTelemetriesWithoutWorkloadSelectors).
#   Inventory: compared with the Telemetries of the same namespace; when Telemetry is not in the
#   inventory (cache miss) the rule stays silent.
# custom:
#   id: tm-multiple-default
#   severity: medium
#   enforcement: warn
#   fix: 'Keep one Telemetry without selector in the namespace: merge the two, or give one a selector.'
#   why: 'which telemetry applies is undefined; traffic is not affected'
#   kinds: [Telemetry]
#   istioCode: IST0160
package meshguard.rules.tm_multiple_default

import data.meshguard.lib

violation contains {
	"id": "tm-multiple-default",
	"message": sprintf("Telemetry %s/%s has no selector, and neither do %s in the same namespace: which one applies is undefined", [lib.namespace, lib.name, json.marshal(others)]),
	"details": {"field": "spec.selector", "namespace": lib.namespace, "conflicting": others},
} if {
	lib.is_kind("Telemetry")
	lib.known("Telemetry")
	selectorless(lib.obj)
	others := sort([o.metadata.name | some o in lib.items_in("Telemetry", lib.namespace); selectorless(o)])
	count(others) > 0
}

selectorless(o) if {
	spec := object.get(o, "spec", {})
	count(object.get(object.get(spec, "selector", {}), "matchLabels", {})) == 0
	not spec.targetRef
	count(object.get(spec, "targetRefs", [])) == 0
}
