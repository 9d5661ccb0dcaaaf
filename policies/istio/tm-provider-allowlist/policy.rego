# METADATA
# title: Telemetry providers must be approved
# description: |
#   Every `providers[].name` under tracing, metrics and accessLogging must be in param
#   `allowedProviders`. Istio silently ignores a provider it does not know, so a typo or an
#   unapproved collector means telemetry quietly goes missing or goes somewhere unvetted. The
#   shipped default lists Istio's built-in providers (prometheus, stackdriver, envoy) and the
#   extension-provider names Istio's own docs configure (otel, otel-tracing, zipkin); set it to
#   your meshConfig.extensionProviders names. An empty list accepts any provider. When Istio's
#   mesh config is known (the istio ConfigMap, or an IstioOperator given to check), a provider
#   must also be one of Istio's built-in providers (prometheus, stackdriver, envoy) or defined in
#   its extensionProviders. Needs no inventory.
# custom:
#   id: tm-provider-allowlist
#   severity: medium
#   enforcement: warn
#   fix: 'Use a provider listed in the param `allowedProviders` and defined in meshConfig.extensionProviders, or ask the platform team to add yours.'
#   why: 'telemetry goes missing or to an unvetted collector; traffic is not affected'
#   kinds: [Telemetry]
#   meshConfig: [extensionProviders]
package meshguard.rules.tm_provider_allowlist

import data.meshguard.lib
import data.meshguard.lib.istio

default_providers := ["prometheus", "stackdriver", "envoy", "otel", "otel-tracing", "zipkin"]

allowed := lib.param("tm-provider-allowlist", "allowedProviders", default_providers)

violation contains {
	"id": "tm-provider-allowlist",
	"message": sprintf("Telemetry %s/%s uses provider \"%s\" in %s[%d], which is not in the allowed providers %s", [lib.namespace, lib.name, provider, section, i, json.marshal(allowed)]),
	"details": {"field": sprintf("spec.%s[%d].providers[%d].name", [section, i, j]), "provider": provider, "allowed": allowed},
} if {
	lib.is_kind("Telemetry")
	count(allowed) > 0
	some section in ["tracing", "metrics", "accessLogging"]
	some i, entry in object.get(lib.obj.spec, section, [])
	some j, p in object.get(entry, "providers", [])
	provider := object.get(p, "name", "")
	not provider in allowed
}

# Providers Istio knows without an extensionProviders entry.
builtin_providers := ["prometheus", "stackdriver", "envoy"]

violation contains {
	"id": "tm-provider-allowlist",
	"message": sprintf("Telemetry %s/%s uses provider \"%s\" in %s[%d], which the mesh config does not define (extensionProviders %s)", [lib.namespace, lib.name, provider, section, i, json.marshal(defined)]),
	"details": {"field": sprintf("spec.%s[%d].providers[%d].name", [section, i, j]), "provider": provider, "extensionProviders": defined},
} if {
	lib.is_kind("Telemetry")
	defined := istio.config("extensionProviders", null)
	is_array(defined)
	some section in ["tracing", "metrics", "accessLogging"]
	some i, entry in object.get(lib.obj.spec, section, [])
	some j, p in object.get(entry, "providers", [])
	provider := object.get(p, "name", "")
	not provider in builtin_providers
	not provider in defined
}
