# METADATA
# title: VirtualServices for ambient workloads should be Gateway API routes
# description: |
#   Istio documents its classic traffic APIs (VirtualService, DestinationRule) as Alpha in ambient
#   mode, where only waypoints apply them, and mixing them with Gateway API routes as not supported
#   (undefined behaviour; istio.io/latest/docs/ambient/usage/l7-features). A VirtualService for
#   mesh traffic (no `gateways`, or `mesh` among them) in a namespace labelled
#   istio.io/dataplane-mode=ambient (and not injecting sidecars) is reported; VirtualServices bound only to ingress gateways
#   are not.
# custom:
#   id: amb-virtualservice
#   api: ambient
#   severity: low
#   enforcement: warn
#   kinds: [VirtualService]
#   fix: Route mesh traffic of ambient workloads with an HTTPRoute whose parentRef is the Service, served by a waypoint.
package meshguard.rules.amb_virtualservice

import data.meshguard.lib
import data.meshguard.lib.ambient

gateways := object.get(object.get(lib.obj, "spec", {}), "gateways", [])

mesh_bound if count(gateways) == 0

mesh_bound if "mesh" in gateways

violation contains {
	"id": "amb-virtualservice",
	"message": sprintf("VirtualService %s/%s routes mesh traffic in ambient namespace %s; Istio supports VirtualService with ambient waypoints as Alpha only and not mixed with Gateway API routes", [lib.namespace, lib.name, lib.namespace]),
	"details": {"field": "spec.gateways"},
} if {
	lib.is_kind("VirtualService")
	ambient.ambient_namespace(lib.namespace)
	mesh_bound
}
