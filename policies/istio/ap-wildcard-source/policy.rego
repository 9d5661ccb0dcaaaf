# METADATA
# title: AuthorizationPolicy must not allow any principal or namespace
# description: |
#   In an ALLOW AuthorizationPolicy (action ALLOW or unset), `principals: ["*"]` or
#   `namespaces: ["*"]` in `rules[].from[].source` admits every authenticated workload of the
#   mesh (and every namespace), which defeats the point of naming callers. The same value in a
#   DENY, AUDIT or CUSTOM policy narrows or delegates rather than grants, so it is not reported;
#   neither are `notPrincipals`/`notNamespaces` nor `requestPrincipals: ["*"]` (the usual "a valid
#   JWT is required" idiom). Needs no inventory.
# custom:
#   id: ap-wildcard-source
#   severity: high
#   enforcement: deny
#   fix: 'List the callers in source.principals or source.namespaces instead of "*" (a valid JWT requirement belongs in requestPrincipals).'
#   why: 'admits every workload of the mesh (security)'
#   kinds: [AuthorizationPolicy]
package meshguard.rules.ap_wildcard_source

import data.meshguard.lib

violation contains {
	"id": "ap-wildcard-source",
	"message": sprintf("AuthorizationPolicy %s/%s allows any %s: %s contains \"*\"", [lib.namespace, lib.name, noun[key], path]),
	"details": {"field": path, "value": "*"},
} if {
	lib.is_kind("AuthorizationPolicy")
	object.get(lib.obj.spec, "action", "ALLOW") == "ALLOW"
	some i, rule in object.get(lib.obj.spec, "rules", [])
	some j, from in object.get(rule, "from", [])
	some key in ["principals", "namespaces"]
	"*" in object.get(object.get(from, "source", {}), key, [])
	path := sprintf("spec.rules[%d].from[%d].source.%s", [i, j, key])
}

noun := {"principals": "principal", "namespaces": "namespace"}
