# METADATA
# title: EnvoyFilter only in the root namespace or approved namespaces
# description: |
#   EnvoyFilter patches the generated Envoy configuration directly, bypassing Istio's validation
#   and its upgrade guarantees; a bad patch can break or open every proxy it reaches. EnvoyFilters
#   are accepted only in Istio's root namespace (mesh config `rootNamespace`, istio-system by
#   default), where the platform team owns them, and in namespaces listed in param
#   `allowedNamespaces`. Needs no inventory.
# custom:
#   id: ef-namespace
#   severity: high
#   enforcement: deny
#   fix: 'Move the EnvoyFilter to Istio''s root namespace (mesh config rootNamespace), or have the namespace added to the param `allowedNamespaces`.'
#   why: 'a bad patch can break or open every proxy it reaches (security, traffic)'
#   kinds: [EnvoyFilter]
package meshguard.rules.ef_namespace

import data.meshguard.lib

allowed := array.concat([lib.mesh("rootNamespace", "istio-system")], lib.param("ef-namespace", "allowedNamespaces", []))

violation contains {
	"id": "ef-namespace",
	"message": sprintf("EnvoyFilter %s/%s is in namespace %s; EnvoyFilters are only allowed in %s", [lib.namespace, lib.name, lib.namespace, json.marshal(allowed)]),
	"details": {"field": "metadata.namespace", "namespace": lib.namespace, "allowed": allowed},
} if {
	lib.is_kind("EnvoyFilter")
	not lib.namespace in allowed
}
