# METADATA
# title: AuthorizationPolicy source namespaces must exist
# description: |
#   A `rules[].from[].source.namespaces` or `notNamespaces` entry that names no existing namespace
#   never matches a request, usually a typo (istioctl IST0101 ReferencedResourceNotFound, "Referenced
#   namespace not found"). As istioctl does, `*` matches every namespace, a leading `*` matches by
#   suffix and a trailing `*` by prefix; other entries compare case-insensitively. Inventory: needs
#   Namespaces; when they are not known the rule stays silent.
# custom:
#   id: ap-namespace-exists
#   severity: high
#   enforcement: deny
#   fix: 'Correct the namespace name in source.namespaces or notNamespaces, or create the namespace first.'
#   why: 'a typo makes an ALLOW rule refuse its callers or a DENY rule miss them (traffic, security)'
#   kinds: [AuthorizationPolicy]
#   istioCode: IST0101
package meshguard.rules.ap_namespace_exists

import data.meshguard.lib

violation contains {
	"id": "ap-namespace-exists",
	"message": sprintf("AuthorizationPolicy %s/%s: referenced namespace not found: %s (rules[%d].from[%d].source.%s)", [lib.namespace, lib.name, ns, i, j, field]),
	"details": {"field": sprintf("spec.rules[%d].from[%d].source.%s[%d]", [i, j, field, k]), "namespace": ns},
} if {
	lib.is_kind("AuthorizationPolicy")
	lib.known("Namespace")
	some i, rule in object.get(lib.obj.spec, "rules", [])
	some j, from in object.get(rule, "from", [])
	some field in ["namespaces", "notNamespaces"]
	some k, ns in object.get(object.get(from, "source", {}), field, [])
	not matches_any(ns)
}

# Lower-cased names of every known namespace, computed once per evaluation.
namespace_names := {lower(n) | some n, _ in lib.inventory.Namespace[""]}

matches_any(exp) if lower(exp) in namespace_names

matches_any("*")

matches_any(exp) if {
	startswith(exp, "*")
	suffix := substring(exp, 1, -1)
	some n, _ in lib.inventory.Namespace[""]
	endswith(n, suffix)
}

matches_any(exp) if {
	not startswith(exp, "*")
	endswith(exp, "*")
	prefix := substring(exp, 0, count(exp) - 1)
	some n, _ in lib.inventory.Namespace[""]
	startswith(n, prefix)
}
