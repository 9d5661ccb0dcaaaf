# METADATA
# title: PeerAuthentication mTLS must be STRICT
# description: |
#   A PeerAuthentication may only set mtls.mode STRICT or UNSET (inherit), at the top level and in
#   every portLevelMtls entry. A PERMISSIVE or DISABLE port-level override re-opens plain text on
#   that port even under a STRICT top-level mode. Namespaces that must accept plain text are
#   exempted through the org config's exemptions, or listed in the param `allowedNamespaces`.
#   No inventory is needed.
# custom:
#   id: pa-strict-mtls
#   severity: high
#   enforcement: deny
#   fix: 'Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry.'
#   why: 'plain text into the mesh (security)'
#   kinds: [PeerAuthentication]
package meshguard.rules.pa_strict_mtls

import data.meshguard.lib

allowed_modes := {"STRICT", "UNSET"}

# Namespaces where PERMISSIVE and DISABLE are accepted.
allowed_namespace if lib.namespace in lib.param("pa-strict-mtls", "allowedNamespaces", [])

violation contains {
	"id": "pa-strict-mtls",
	"message": sprintf("PeerAuthentication %s/%s sets mtls.mode %s; only STRICT or UNSET is allowed", [lib.namespace, lib.name, mode]),
	"details": {"field": "spec.mtls.mode", "mode": mode},
} if {
	lib.is_kind("PeerAuthentication")
	not allowed_namespace
	mode := lib.obj.spec.mtls.mode
	not mode in allowed_modes
}

violation contains {
	"id": "pa-strict-mtls",
	"message": sprintf("PeerAuthentication %s/%s sets mtls.mode %s on port %s; only STRICT or UNSET is allowed", [lib.namespace, lib.name, mode, port]),
	"details": {"field": sprintf("spec.portLevelMtls[%s].mode", [port]), "mode": mode, "port": port},
} if {
	lib.is_kind("PeerAuthentication")
	not allowed_namespace
	some port, setting in lib.obj.spec.portLevelMtls
	mode := setting.mode
	not mode in allowed_modes
}
