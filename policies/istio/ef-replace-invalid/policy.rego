# METADATA
# title: EnvoyFilter REPLACE only on HTTP_FILTER or NETWORK_FILTER
# description: |
#   The REPLACE operation is only valid for applyTo HTTP_FILTER and NETWORK_FILTER; elsewhere it is
#   not applied (istioctl IST0152 EnvoyFilterUsesReplaceOperationIncorrectly).
#   Needs no inventory.
# custom:
#   id: ef-replace-invalid
#   severity: medium
#   enforcement: warn
#   fix: 'Use REPLACE only with applyTo HTTP_FILTER or NETWORK_FILTER; use MERGE elsewhere.'
#   why: 'the patch is not applied, nothing breaks'
#   kinds: [EnvoyFilter]
#   istioCode: IST0152
package meshguard.rules.ef_replace_invalid

import data.meshguard.lib

filter_targets := {"HTTP_FILTER", "NETWORK_FILTER"}

violation contains {
	"id": "ef-replace-invalid",
	"message": sprintf("EnvoyFilter %s/%s configPatches[%d] uses %s on %s; REPLACE only applies to HTTP_FILTER and NETWORK_FILTER", [lib.namespace, lib.name, i, operation, apply_to]),
	"details": {"field": sprintf("spec.configPatches[%d].patch.operation", [i]), "operation": operation, "applyTo": apply_to},
} if {
	lib.is_kind("EnvoyFilter")
	some i, p in object.get(lib.obj.spec, "configPatches", [])
	operation := object.get(object.get(p, "patch", {}), "operation", "")
	apply_to := object.get(p, "applyTo", "")
	operation == "REPLACE"
	not apply_to in filter_targets
}
