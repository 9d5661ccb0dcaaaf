# METADATA
# title: ListenerSets must attach to a Gateway that allows them
# description: |
#   A ListenerSet adds its listeners to the Gateway of its spec.parentRef only when that Gateway
#   exists and its spec.allowedListeners.namespaces admits the ListenerSet's namespace: from
#   None by default (no ListenerSet at all), Same, All, or a Selector over the Namespace's labels.
#   Otherwise the ListenerSet is not Accepted and none of its listeners is served. Inventory:
#   needs KubernetesGateway; a missing Gateway is reported only when the inventory covers its
#   namespace, and a Selector only when it has the Namespace.
# custom:
#   id: k8sgw-listenerset-attach
#   api: gateway-api
#   severity: high
#   enforcement: deny
#   kinds: [ListenerSet]
#   fix: Point spec.parentRef at an existing Gateway, and set that Gateway's spec.allowedListeners.namespaces to admit this namespace.
package meshguard.rules.k8sgw_listenerset_attach

import data.meshguard.lib
import data.meshguard.lib.gateway_api
import data.meshguard.lib.istio

violation contains finding("spec.parentRef.name", sprintf("Gateway %s/%s does not exist", [parent.namespace, parent.name])) if {
	lib.known("KubernetesGateway")
	lib.covers(parent.namespace, {"KubernetesGateway"})
	not gateway_api.gateway(parent.namespace, parent.name)
}

violation contains finding("spec.parentRef", sprintf("Gateway %s/%s does not allow it: %s", [parent.namespace, parent.name, why])) if {
	gw := gateway_api.gateway(parent.namespace, parent.name)
	why := refusal(object.get(object.get(object.get(gw, "spec", {}), "allowedListeners", {}), "namespaces", {}))
}

# parent is the admitted ListenerSet's spec.parentRef with the specification's defaults.
parent := {"namespace": object.get(ref, "namespace", lib.namespace), "name": object.get(ref, "name", "")} if {
	lib.is_kind("ListenerSet")
	ref := object.get(lib.obj.spec, "parentRef", {})
	object.get(ref, "group", gateway_api.group) == gateway_api.group
	object.get(ref, "kind", "Gateway") == "Gateway"
}

refusal(namespaces) := "spec.allowedListeners.namespaces.from is None (the default)" if {
	object.get(namespaces, "from", "None") == "None"
} else := sprintf("spec.allowedListeners.namespaces.from is Same and the ListenerSet is not in namespace %s", [parent.namespace]) if {
	namespaces.from == "Same"
	lib.namespace != parent.namespace
} else := sprintf("spec.allowedListeners.namespaces.selector does not select namespace %s", [lib.namespace]) if {
	namespaces.from == "Selector"
	lib.namespace_known(lib.namespace)
	not istio.selects(object.get(namespaces, "selector", {}), gateway_api.namespace_labels(lib.namespace))
}

finding(field, why) := {
	"id": "k8sgw-listenerset-attach",
	"message": sprintf("ListenerSet %s/%s does not attach to its parentRef: %s", [lib.namespace, lib.name, why]),
	"details": {"field": field, "parent": parent},
}
