# METADATA
# title: Gateway listener certificateRefs must exist and be granted
# description: |
#   Every tls.certificateRefs entry of a Gateway API Gateway's or ListenerSet's listener must name
#   an existing Secret, and a Secret in another namespace is usable only when a ReferenceGrant in
#   that namespace allows references from Gateways (ListenerSets) of the listener's namespace.
#   Otherwise the listener's ResolvedRefs condition is False (InvalidCertificateRef or
#   RefNotPermitted) and Istio serves no TLS on it. Only Secret references (group "", kind
#   Secret) are judged. Inventory: needs Secret (watched in the namespaces of the setting
#   secretNamespaces) and ReferenceGrant; a missing object is reported only when the inventory
#   covers its namespace.
# custom:
#   id: k8sgw-certificate-ref
#   api: gateway-api
#   severity: high
#   enforcement: deny
#   kinds: [KubernetesGateway, ListenerSet]
#   fix: Create the Secret the listener names (or name an existing one), and add a ReferenceGrant in its namespace when it lives in another namespace.
package meshguard.rules.k8sgw_certificate_ref

import data.meshguard.lib
import data.meshguard.lib.gateway_api

violation contains finding(r, "", sprintf("Secret %s/%s does not exist", [r.namespace, r.name])) if {
	some r in secret_refs
	lib.known_in("Secret", r.namespace)
	lib.covers(r.namespace, {"Secret"})
	not lib.inventory.Secret[r.namespace][r.name]
}

violation contains finding(r, ".namespace", sprintf("Secret %s/%s is in another namespace and no ReferenceGrant in %s allows references from %s in %s", [r.namespace, r.name, r.namespace, gateway_api.api_kind, lib.namespace])) if {
	some r in secret_refs
	r.namespace != lib.namespace
	lib.known("ReferenceGrant")
	lib.covers(r.namespace, {"ReferenceGrant"})
	not gateway_api.granted(gateway_api.api_kind, lib.namespace, "", "Secret", r.namespace, r.name)
}

# secret_refs lists the Secret references of the admitted object's listeners.
secret_refs := [{
	"field": sprintf("spec.listeners[%d].tls.certificateRefs[%d]", [x.index, j]),
	"listener": object.get(x.listener, "name", ""),
	"namespace": object.get(ref, "namespace", lib.namespace),
	"name": object.get(ref, "name", ""),
} |
	some x in gateway_api.listeners
	some j, ref in object.get(object.get(x.listener, "tls", {}), "certificateRefs", [])
	gateway_api.core(object.get(ref, "group", ""))
	object.get(ref, "kind", "Secret") == "Secret"
]

finding(r, suffix, why) := {
	"id": "k8sgw-certificate-ref",
	"message": sprintf("%s %s/%s listener %s serves the certificate %s (%s), but %s", [gateway_api.api_kind, lib.namespace, lib.name, r.listener, r.name, r.field, why]),
	"details": {"field": concat("", [r.field, suffix]), "secret": {"namespace": r.namespace, "name": r.name}},
}
