# METADATA
# title: AuthorizationPolicy CUSTOM action only with an approved provider
# description: |
#   A CUSTOM AuthorizationPolicy hands the allow/deny decision (and the request's headers) to an
#   external authorizer named by `provider.name`. Only the extension providers the platform team
#   has vetted (param `customProviders`, names as in meshConfig.extensionProviders) may be used;
#   with the default empty list no CUSTOM policy is accepted. Needs no inventory.
# custom:
#   id: ap-custom-provider
#   severity: high
#   enforcement: deny
#   kinds: [AuthorizationPolicy]
package meshguard.rules.ap_custom_provider

import data.meshguard.lib

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
