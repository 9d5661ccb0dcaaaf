# METADATA
# title: PeerAuthentication DISABLE has no effect on ambient workloads
# description: |
#   ztunnel always connects mesh workloads over HBONE with mutual TLS; a PeerAuthentication whose
#   `mtls.mode` or a `portLevelMtls` entry is DISABLE is ignored for ambient workloads (istio.io
#   ambient docs: "policies that set the mode to DISABLE are ignored because ztunnel and HBONE
#   always enforce mTLS"; istiod converts only STRICT and PERMISSIVE into ztunnel policy,
#   pilot/pkg/serviceregistry/ambient/authorization.go convertPeerAuthentication), so it behaves
#   as PERMISSIVE. Reported in namespaces labelled istio.io/dataplane-mode=ambient that do
#   not also inject sidecars.
# custom:
#   id: amb-pa-disable
#   api: ambient
#   severity: low
#   enforcement: warn
#   kinds: [PeerAuthentication]
#   fix: Use PERMISSIVE (accept plaintext from clients outside the mesh) or STRICT instead of DISABLE for ambient workloads.
package meshguard.rules.amb_pa_disable

import data.meshguard.lib
import data.meshguard.lib.ambient

spec := object.get(lib.obj, "spec", {})

disabled contains ["spec.mtls.mode", "mtls.mode"] if object.get(object.get(spec, "mtls", {}), "mode", "") == "DISABLE"

disabled contains [sprintf("spec.portLevelMtls[%s].mode", [port]), sprintf("portLevelMtls[%s].mode", [port])] if {
	some port, m in object.get(spec, "portLevelMtls", {})
	object.get(m, "mode", "") == "DISABLE"
}

violation contains {
	"id": "amb-pa-disable",
	"message": sprintf("PeerAuthentication %s/%s sets %s to DISABLE in ambient namespace %s; ztunnel ignores DISABLE and always uses mutual TLS between mesh workloads, so it acts as PERMISSIVE", [lib.namespace, lib.name, shown, lib.namespace]),
	"details": {"field": field},
} if {
	lib.is_kind("PeerAuthentication")
	ambient.ambient_namespace(lib.namespace)
	some [field, shown] in disabled
}
