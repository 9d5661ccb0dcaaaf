# METADATA
# title: Gateway TLS credentials must exist
# description: |
#   The Secret a server's `credentialName` (or each of `credentialNames`) names must exist in
#   the namespace of the gateway workload, else the listener has no certificate and TLS
#   handshakes fail (istioctl IST0101 ReferencedResourceNotFound). As istioctl does, the namespace
#   is the one of the workloads (Pods, Deployments, ...) the Gateway's selector matches; when the
#   inventory holds none, the Gateway's own namespace. A `kubernetes://` prefix is stripped and
#   other SDS URLs are not checked. Inventory: needs Secret (metadata only); when the inventory
#   does not carry Secrets the rule stays silent, and so it does for gateways whose namespaces
#   are outside the namespaces whose Secrets are watched (setting secretNamespaces). (istioctl
#   IST0161 InvalidGatewayCredential judges the Secret's content, which the inventory does not
#   hold.)
# custom:
#   id: gw-credential-secret
#   severity: high
#   enforcement: deny
#   fix: 'Create the TLS Secret named by credentialName in the namespace of the gateway workload, or correct credentialName.'
#   why: 'the listener has no certificate and TLS handshakes fail (traffic)'
#   kinds: [Gateway]
#   istioCode: IST0101
package meshguard.rules.gw_credential_secret

import data.meshguard.lib
import data.meshguard.lib.workloads

selector := object.get(lib.obj.spec, "selector", {})

workload_namespaces := {w.namespace |
	count(selector) > 0
	some w in workloads.selected_by(selector)
}

secret_namespaces := workload_namespaces if {
	count(workload_namespaces) > 0
} else := {lib.namespace}

credentials contains {"index": i, "field": "credentialName", "name": secret_name(tls.credentialName)} if {
	some i, server in object.get(lib.obj.spec, "servers", [])
	tls := server.tls
	tls.credentialName != ""
}

credentials contains {"index": i, "field": sprintf("credentialNames[%d]", [j]), "name": secret_name(name)} if {
	some i, server in object.get(lib.obj.spec, "servers", [])
	some j, name in server.tls.credentialNames
}

secret_name(n) := substring(n, count("kubernetes://"), -1) if startswith(n, "kubernetes://")

secret_name(n) := n if not contains(n, "://")

violation contains {
	"id": "gw-credential-secret",
	"message": sprintf("Gateway %s/%s server spec.servers[%d] uses TLS credential %s, but no Secret %s exists in namespace %s", [lib.namespace, lib.name, c.index, c.name, c.name, concat(" or ", sort(secret_namespaces))]),
	"details": {"field": sprintf("spec.servers[%d].tls.%s", [c.index, c.field]), "secret": c.name, "namespaces": sort(secret_namespaces)},
} if {
	lib.is_kind("Gateway")
	every ns in secret_namespaces {
		lib.known_in("Secret", ns)
	}
	some c in credentials
	not secret_exists(c.name)
}

secret_exists(name) if {
	some ns in secret_namespaces
	lib.inventory.Secret[ns][name]
}
