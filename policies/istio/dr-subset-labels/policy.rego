# METADATA
# title: DestinationRule subsets must have labels
# description: |
#   A subset without labels selects every endpoint of the host, so routing to it (a canary, a
#   version) silently sends traffic to all versions. Every entry of spec.subsets must set a
#   non-empty `labels` map. No inventory is needed.
# custom:
#   id: dr-subset-labels
#   severity: medium
#   enforcement: warn
#   fix: 'Give the subset the labels of the pods it stands for, e.g. `labels: {version: v2}`.'
#   why: 'traffic still flows, to every version of the host'
#   kinds: [DestinationRule]
package meshguard.rules.dr_subset_labels

import data.meshguard.lib

violation contains {
	"id": "dr-subset-labels",
	"message": sprintf("DestinationRule %s/%s subset \"%s\" has no labels, so it selects every endpoint of host %s", [lib.namespace, lib.name, subset_name, object.get(lib.obj.spec, "host", "")]),
	"details": {"field": sprintf("spec.subsets[%d].labels", [i]), "subset": subset_name},
} if {
	lib.is_kind("DestinationRule")
	some i, subset in object.get(lib.obj.spec, "subsets", [])
	subset_name := object.get(subset, "name", "")
	not has_labels(subset)
}

has_labels(subset) if count(subset.labels) > 0
