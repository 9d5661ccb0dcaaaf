# METADATA
# title: One selector-less Sidecar per namespace
# description: |
#   A Sidecar without `workloadSelector` is the namespace default (the mesh default in the root
#   namespace). With two of them in one namespace, which one applies is undefined (istioctl
#   IST0111 MultipleSidecarsWithoutWorkloadSelectors). Inventory: compared with the Sidecars of
#   the same namespace; when Sidecar is not in the inventory (cache miss) the rule stays silent.
# custom:
#   id: sc-multiple-default
#   severity: high
#   enforcement: deny
#   fix: 'Keep one Sidecar without workloadSelector in the namespace: merge the two, or give one a workloadSelector.'
#   why: 'which Sidecar applies is undefined (traffic)'
#   kinds: [Sidecar]
#   istioCode: IST0111
package meshguard.rules.sc_multiple_default

import data.meshguard.lib

violation contains {
	"id": "sc-multiple-default",
	"message": sprintf("Sidecar %s/%s has no workloadSelector, and neither do %s in the same namespace: which one applies is undefined", [lib.namespace, lib.name, json.marshal(others)]),
	"details": {"field": "spec.workloadSelector", "namespace": lib.namespace, "conflicting": others},
} if {
	lib.is_kind("Sidecar")
	lib.known("Sidecar")
	selectorless(lib.obj)
	others := sort([o.metadata.name | some o in lib.items_in("Sidecar", lib.namespace); selectorless(o)])
	count(others) > 0
}

selectorless(o) if count(object.get(object.get(object.get(o, "spec", {}), "workloadSelector", {}), "labels", {})) == 0
