# METADATA
# title: A Deployment with an istio-proxy "image auto" must be targeted for injection
# description: |
#   `image: auto` on the istio-proxy container (gateway deployments, manual sidecar templates) only
#   works when Istio's injector rewrites the pods. A Deployment whose pods the injector does not
#   select starts pods that cannot run (istioctl IST0146 ImageAutoWithoutInjectionWarning). As
#   istioctl does, only Deployments are checked. Where istioctl matches the selectors of Istio's
#   MutatingWebhookConfigurations, meshguard uses its injection model (data.meshguard.lib.workloads
#   `injected`: the namespace's injection labels from the inventory, the template's
#   `sidecar.istio.io/inject` and `istio.io/rev`); when the namespace is not known only the
#   template's own opt-in counts.
# custom:
#   id: deploy-image-auto-not-injected
#   severity: medium
#   enforcement: warn
#   fix: 'Label the namespace istio-injection=enabled (or istio.io/rev) or the pod template sidecar.istio.io/inject: "true", or set a real proxy image instead of `auto`.'
#   why: 'pods would fail to start, but the Deployment may be applied before its namespace is labelled'
#   kinds: [Deployment]
#   istioCode: IST0146
package meshguard.rules.deploy_image_auto_not_injected

import data.meshguard.lib
import data.meshguard.lib.security
import data.meshguard.lib.workloads

violation contains {
	"id": "deploy-image-auto-not-injected",
	"message": sprintf("Deployment %s/%s contains `image: auto` but does not match any Istio injection webhook selectors", [lib.namespace, lib.name]),
	"details": {"field": "spec.template.spec.containers", "container": "istio-proxy", "image": "auto"},
} if {
	lib.is_kind("Deployment")
	security.has_auto_image(object.get(workloads.template, "spec", {}))
	not workloads.injected(workloads.template, lib.namespace)
}
