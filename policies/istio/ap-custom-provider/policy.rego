# METADATA
# title: AuthorizationPolicy CUSTOM action only with an approved provider
# description: |
#   A CUSTOM AuthorizationPolicy hands the allow/deny decision (and the request's headers) to an
#   external authorizer named by `provider.name`. Only the extension providers the platform team
#   has vetted (param `customProviders`, names as in meshConfig.extensionProviders) may be used;
#   with the default empty list no CUSTOM policy is accepted. When Istio's mesh config is known
#   (the istio ConfigMap, or an IstioOperator given to check), an allowed provider must also be
#   defined in its extensionProviders: Istio denies every request a CUSTOM policy with an
#   undefined provider selects. Needs no inventory.
# custom:
#   id: ap-custom-provider
#   severity: high
#   enforcement: deny
#   fix: 'Name a provider listed in the param `customProviders` that is defined in meshConfig.extensionProviders, or ask the platform team to vet and add yours.'
#   why: 'hands requests to an unvetted authorizer, or denies all of them when the provider is undefined (security, traffic)'
#   kinds: [AuthorizationPolicy]
#   meshConfig: [extensionProviders]
package meshguard.rules.ap_custom_provider

import data.meshguard.lib
import data.meshguard.lib.istio

violation contains {
	"id": "ap-custom-provider",
	"message": sprintf("AuthorizationPolicy %s/%s uses CUSTOM provider \"%s\", which is not in the allowed providers %s", [lib.namespace, lib.name, provider, json.marshal(allowed)]),
	"details": {"field": "spec.provider.name", "provider": provider, "allowed": allowed},
} if {
	lib.is_kind("AuthorizationPolicy")
	lib.obj.spec.action == "CUSTOM"
	provider := object.get(object.get(lib.obj.spec, "provider", {}), "name", "")
	allowed := lib.param("ap-custom-provider", "customProviders", [])
	not provider in allowed
}

violation contains {
	"id": "ap-custom-provider",
	"message": sprintf("AuthorizationPolicy %s/%s uses CUSTOM provider \"%s\", which the mesh config does not define (extensionProviders %s)", [lib.namespace, lib.name, provider, json.marshal(defined)]),
	"details": {"field": "spec.provider.name", "provider": provider, "extensionProviders": defined},
} if {
	lib.is_kind("AuthorizationPolicy")
	lib.obj.spec.action == "CUSTOM"
	provider := object.get(object.get(lib.obj.spec, "provider", {}), "name", "")
	provider in lib.param("ap-custom-provider", "customProviders", [])
	defined := istio.config("extensionProviders", null)
	is_array(defined)
	not provider in defined
}
