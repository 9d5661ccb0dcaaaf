# METADATA
# title: Gateway TLS credentials in use must not be deleted
# description: |
#   Deleting a Secret that a Gateway server names as its TLS credential (`credentialName`,
#   `credentialNames`, with or without `kubernetes://`), or that a Kubernetes Gateway listener
#   names in `tls.certificateRefs`, leaves the listener without a certificate: TLS handshakes fail
#   (what gw-credential-secret refuses on the Gateway's side, istioctl IST0101). As there, an Istio
#   Gateway reads the Secret from the namespace of the workloads its selector matches, else its
#   own namespace. The finding names the Gateways and their fields. Only judged when the chart
#   registers Secret deletions (webhook.secretDeletes); Secrets are read as metadata only.
#   Inventory: needs Gateway or KubernetesGateway.
# custom:
#   id: gw-credential-in-use
#   severity: medium
#   enforcement: warn
#   kinds: [Secret]
#   operations: [DELETE]
#   istioCode: IST0101
#   fix: Point the Gateways listed at another credential first, or keep the Secret.
package meshguard.rules.gw_credential_in_use

import data.meshguard.lib
import data.meshguard.lib.references
import data.meshguard.lib.workloads

violation contains references.finding(
	"gw-credential-in-use", "",
	concat("", ["TLS credential ", lib.namespace, "/", lib.name]),
	"metadata.name", {"secret": lib.name},
	refs,
) if {
	lib.operation == "DELETE"
	lib.changes("Secret")
	refs := istio_referrers | kubernetes_referrers
	count(refs) > 0
}

istio_referrers := {references.referrer(gw, field) |
	lib.known("Gateway")
	some gw in lib.items("Gateway")
	some field in credential_fields(gw)
	lib.namespace in secret_namespaces(gw)
}

# credential_fields(gw) are the fields of Istio Gateway gw that name the deleted Secret.
credential_fields(gw) := {f |
	some i, server in object.get(gw.spec, "servers", [])
	some f, name in credential_names(i, object.get(server, "tls", {}))
	secret_name(name) == lib.name
}

# credential_names(i, tls) maps the credential fields of server i to the names they hold.
credential_names(i, tls) := object.union(
	{concat("", ["spec.servers[", format_int(i, 10), "].tls.credentialName"]): object.get(tls, "credentialName", "")},
	{concat("", ["spec.servers[", format_int(i, 10), "].tls.credentialNames[", format_int(j, 10), "]"]): n | some j, n in object.get(tls, "credentialNames", [])},
)

secret_name(n) := substring(n, count("kubernetes://"), -1) if startswith(n, "kubernetes://")

secret_name(n) := n if not contains(n, "://")

# secret_namespaces(gw) is where Istio Gateway gw reads its credentials: the namespaces of the
# workloads its selector matches, else its own namespace (as gw-credential-secret).
secret_namespaces(gw) := found if {
	selector := object.get(gw.spec, "selector", {})
	count(selector) > 0
	found := {w.namespace |
		some w in workloads.all_workloads
		workloads.matches_labels(selector, w.labels)
	}
	count(found) > 0
} else := {object.get(gw.metadata, "namespace", "")}

# kubernetes_referrers are the Kubernetes Gateway listeners whose certificateRefs name the Secret
# (a reference without a namespace is to the Gateway's own namespace).
kubernetes_referrers := {references.referrer(gw, field) |
	lib.known("KubernetesGateway")
	some gw in lib.items("KubernetesGateway")
	some i, listener in object.get(gw.spec, "listeners", [])
	some j, ref in object.get(object.get(listener, "tls", {}), "certificateRefs", [])
	object.get(ref, "kind", "Secret") == "Secret"
	object.get(ref, "group", "") == ""
	object.get(ref, "name", "") == lib.name
	object.get(ref, "namespace", object.get(gw.metadata, "namespace", "")) == lib.namespace
	field := concat("", ["spec.listeners[", format_int(i, 10), "].tls.certificateRefs[", format_int(j, 10), "]"])
}
