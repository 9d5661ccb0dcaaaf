# METADATA
# title: A Pod must not keep the istio-proxy placeholder "image auto"
# description: |
#   `image: auto` on the istio-proxy container is a placeholder that Istio's injector replaces. A
#   Pod that reaches validation with it was not injected, so the container cannot start (istioctl
#   IST0147 ImageAutoWithoutInjectionError). Same condition as istioctl: a container named
#   istio-proxy whose image is exactly `auto`. Validation runs after every mutating webhook, so the
#   Pod meshguard sees here is the one that will be stored. Needs no inventory.
# custom:
#   id: pod-image-auto-not-injected
#   severity: high
#   enforcement: deny
#   fix: 'Label the namespace for injection (istio-injection=enabled or istio.io/rev) or the pod `sidecar.istio.io/inject: "true"`, or set a real proxy image instead of `auto`.'
#   why: 'the pod cannot start (traffic)'
#   kinds: [Pod]
#   istioCode: IST0147
package meshguard.rules.pod_image_auto_not_injected

import data.meshguard.lib
import data.meshguard.lib.security

violation contains {
	"id": "pod-image-auto-not-injected",
	"message": sprintf("Pod %s/%s contains `image: auto` but does not match any Istio injection webhook selectors", [lib.namespace, lib.name]),
	"details": {"field": "spec.containers", "container": "istio-proxy", "image": "auto"},
} if {
	lib.is_kind("Pod")
	security.has_auto_image(object.get(lib.obj, "spec", {}))
}
