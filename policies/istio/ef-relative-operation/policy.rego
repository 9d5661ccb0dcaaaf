# METADATA
# title: EnvoyFilter relative patch without a priority
# description: |
#   A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE of an HTTP_FILTER/NETWORK_FILTER, or
#   REMOVE outside route configurations) depends on another filter already being present; without
#   `spec.priority` the order in which EnvoyFilters apply is not guaranteed, so the patch may find
#   nothing to anchor to and silently not apply (istioctl IST0151
#   EnvoyFilterUsesRelativeOperation). Use INSERT_FIRST or ADD, or set a priority. Patches that
#   also match on proxyVersion are reported by ef-relative-operation-proxy-version instead.
#   Needs no inventory.
# custom:
#   id: ef-relative-operation
#   severity: medium
#   enforcement: warn
#   fix: 'Set spec.priority, or use INSERT_FIRST or ADD instead of a relative operation.'
#   why: 'the patch may silently not apply; nothing breaks'
#   kinds: [EnvoyFilter]
#   istioCode: IST0151
package meshguard.rules.ef_relative_operation

import data.meshguard.lib

violation contains {
	"id": "ef-relative-operation",
	"message": sprintf("EnvoyFilter %s/%s configPatches[%d] uses the relative operation %s on %s without a priority, so it may not be applied", [lib.namespace, lib.name, i, operation, apply_to]),
	"details": {"field": sprintf("spec.configPatches[%d].patch.operation", [i]), "operation": operation, "applyTo": apply_to},
} if {
	lib.is_kind("EnvoyFilter")
	object.get(lib.obj.spec, "priority", 0) == 0
	some i, p in object.get(lib.obj.spec, "configPatches", [])
	operation := object.get(object.get(p, "patch", {}), "operation", "")
	apply_to := object.get(p, "applyTo", "")
	relative(operation, apply_to)
	not proxy_version(p)
}

relative(op, _) if op in {"INSERT_BEFORE", "INSERT_AFTER"}

relative("REPLACE", apply_to) if apply_to in {"HTTP_FILTER", "NETWORK_FILTER"}

relative("REMOVE", apply_to) if not apply_to in {"ROUTE_CONFIGURATION", "HTTP_ROUTE"}

proxy_version(p) if object.get(object.get(object.get(p, "match", {}), "proxy", {}), "proxyVersion", "") != ""
