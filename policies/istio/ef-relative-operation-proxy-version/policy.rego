# METADATA
# title: EnvoyFilter relative patch with proxyVersion and no priority
# description: |
#   A relative patch (INSERT_BEFORE, INSERT_AFTER, REPLACE of an HTTP_FILTER/NETWORK_FILTER, or
#   REMOVE outside route configurations) without `spec.priority` whose match also pins a
#   `proxy.proxyVersion`: during an upgrade, old and new proxies get different filter sets and
#   the anchor the patch relies on may be missing, so the patch is silently not applied (istioctl
#   IST0155 EnvoyFilterUsesRelativeOperationWithProxyVersion). Use INSERT_FIRST or ADD, or set a
#   priority. Needs no inventory.
# custom:
#   id: ef-relative-operation-proxy-version
#   severity: medium
#   enforcement: warn
#   fix: 'Set spec.priority, or use INSERT_FIRST or ADD instead of a relative operation.'
#   why: 'the patch may silently not apply during upgrades; nothing breaks'
#   kinds: [EnvoyFilter]
#   istioCode: IST0155
package meshguard.rules.ef_relative_operation_proxy_version

import data.meshguard.lib

violation contains {
	"id": "ef-relative-operation-proxy-version",
	"message": sprintf("EnvoyFilter %s/%s configPatches[%d] uses the relative operation %s on %s without a priority and matches proxyVersion \"%s\", so it may not be applied during an upgrade", [lib.namespace, lib.name, i, operation, apply_to, p.match.proxy.proxyVersion]),
	"details": {"field": sprintf("spec.configPatches[%d].patch.operation", [i]), "operation": operation, "applyTo": apply_to, "proxyVersion": p.match.proxy.proxyVersion},
} if {
	lib.is_kind("EnvoyFilter")
	object.get(lib.obj.spec, "priority", 0) == 0
	some i, p in object.get(lib.obj.spec, "configPatches", [])
	operation := object.get(object.get(p, "patch", {}), "operation", "")
	apply_to := object.get(p, "applyTo", "")
	relative(operation, apply_to)
	proxy_version(p)
}

relative(op, _) if op in {"INSERT_BEFORE", "INSERT_AFTER"}

relative("REPLACE", apply_to) if apply_to in {"HTTP_FILTER", "NETWORK_FILTER"}

relative("REMOVE", apply_to) if not apply_to in {"ROUTE_CONFIGURATION", "HTTP_ROUTE"}

proxy_version(p) if object.get(object.get(object.get(p, "match", {}), "proxy", {}), "proxyVersion", "") != ""
