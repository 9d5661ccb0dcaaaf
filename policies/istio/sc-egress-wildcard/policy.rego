# METADATA
# title: Sidecar egress should not import every host of every namespace
# description: |
#   `egress[].hosts: ["*/*"]` makes the proxy load and reach every service of every namespace,
#   which is both the memory cost Sidecar exists to avoid and the widest blast radius. In
#   restricted namespaces (param `restrictedNamespaces`, or every namespace when param
#   `restrictAll` is true, the default) the rule warns; list the namespaces actually called
#   instead (e.g. "./*", "istio-system/*"). Needs no inventory.
# custom:
#   id: sc-egress-wildcard
#   severity: low
#   enforcement: warn
#   fix: 'List the namespaces the workloads call in egress[].hosts (e.g. "./*", "istio-system/*") instead of "*/*".'
#   why: 'a cost and blast-radius concern, not a failure'
#   kinds: [Sidecar]
package meshguard.rules.sc_egress_wildcard

import data.meshguard.lib

restricted if lib.param("sc-egress-wildcard", "restrictAll", true) == true

restricted if lib.namespace in lib.param("sc-egress-wildcard", "restrictedNamespaces", [])

violation contains {
	"id": "sc-egress-wildcard",
	"message": sprintf("Sidecar %s/%s imports every host of every namespace (\"*/*\" in egress[%d].hosts)", [lib.namespace, lib.name, i]),
	"details": {"field": sprintf("spec.egress[%d].hosts", [i]), "host": "*/*"},
} if {
	lib.is_kind("Sidecar")
	restricted
	some i, egress in object.get(lib.obj.spec, "egress", [])
	"*/*" in object.get(egress, "hosts", [])
}
