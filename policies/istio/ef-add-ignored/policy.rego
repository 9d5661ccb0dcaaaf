# METADATA
# title: EnvoyFilter ADD on a route configuration is ignored
# description: |
#   Istio ignores the ADD operation when applyTo is ROUTE_CONFIGURATION or HTTP_ROUTE, so the patch
#   silently does nothing (istioctl IST0153 EnvoyFilterUsesAddOperationIncorrectly).
#   Needs no inventory.
# custom:
#   id: ef-add-ignored
#   severity: medium
#   enforcement: warn
#   fix: 'Use MERGE to change a route configuration or HTTP route, or apply the ADD to another applyTo.'
#   why: 'the patch does nothing, nothing breaks'
#   kinds: [EnvoyFilter]
#   istioCode: IST0153
package meshguard.rules.ef_add_ignored

import data.meshguard.lib

route_targets := {"ROUTE_CONFIGURATION", "HTTP_ROUTE"}

violation contains {
	"id": "ef-add-ignored",
	"message": sprintf("EnvoyFilter %s/%s configPatches[%d] uses %s on %s, which Istio ignores", [lib.namespace, lib.name, i, operation, apply_to]),
	"details": {"field": sprintf("spec.configPatches[%d].patch.operation", [i]), "operation": operation, "applyTo": apply_to},
} if {
	lib.is_kind("EnvoyFilter")
	some i, p in object.get(lib.obj.spec, "configPatches", [])
	operation := object.get(object.get(p, "patch", {}), "operation", "")
	apply_to := object.get(p, "applyTo", "")
	operation == "ADD"
	apply_to in route_targets
}
