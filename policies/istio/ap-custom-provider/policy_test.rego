package meshguard.rules.ap_custom_provider_test

import data.meshguard.rules.ap_custom_provider

review(spec) := {"request": {
	"kind": {"kind": "AuthorizationPolicy"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {"kind": "AuthorizationPolicy", "metadata": {"name": "ext", "namespace": "prod"}, "spec": spec},
}}

custom := {"action": "CUSTOM", "provider": {"name": "opa-authz"}, "rules": [{"to": [{"operation": {"paths": ["/admin"]}}]}]}

config(providers) := {"rules": {"ap-custom-provider": {"params": {"customProviders": providers}}}}

test_default_config_rejects_any_custom_provider if {
	ap_custom_provider.violation == {{
		"id": "ap-custom-provider",
		"message": "AuthorizationPolicy prod/ext uses CUSTOM provider \"opa-authz\", which is not in the allowed providers []",
		"details": {"field": "spec.provider.name", "provider": "opa-authz", "allowed": []},
	}} with input as review(custom)
}

test_unlisted_provider_rejected if {
	ap_custom_provider.violation == {{
		"id": "ap-custom-provider",
		"message": "AuthorizationPolicy prod/ext uses CUSTOM provider \"opa-authz\", which is not in the allowed providers [\"ext-authz-grpc\"]",
		"details": {"field": "spec.provider.name", "provider": "opa-authz", "allowed": ["ext-authz-grpc"]},
	}} with input as review(custom)
		with data.meshguard.config as config(["ext-authz-grpc"])
}

test_listed_provider_allowed if {
	count(ap_custom_provider.violation) == 0 with input as review(custom)
		with data.meshguard.config as config(["opa-authz"])
}

test_other_actions_ignored if {
	count(ap_custom_provider.violation) == 0 with input as review({"action": "DENY", "provider": {"name": "x"}})
	count(ap_custom_provider.violation) == 0 with input as review({})
}

test_delete_ignored if {
	count(ap_custom_provider.violation) == 0 with input as {"request": {"kind": {"kind": "AuthorizationPolicy"}, "operation": "DELETE", "namespace": "prod", "object": null, "oldObject": {"spec": custom}}}
}

test_allowed_provider_must_be_defined_in_the_mesh_config if {
	ap_custom_provider.violation == {{
		"id": "ap-custom-provider",
		"message": "AuthorizationPolicy prod/ext uses CUSTOM provider \"opa-authz\", which the mesh config does not define (extensionProviders [\"ext-authz-grpc\"])",
		"details": {"field": "spec.provider.name", "provider": "opa-authz", "extensionProviders": ["ext-authz-grpc"]},
	}} with input as review(custom)
		with data.meshguard.config as config(["opa-authz"])
		with data.meshguard.meshConfig as {"extensionProviders": ["ext-authz-grpc"]}
}

test_allowed_and_defined_provider_accepted if {
	count(ap_custom_provider.violation) == 0 with input as review(custom)
		with data.meshguard.config as config(["opa-authz"])
		with data.meshguard.meshConfig as {"extensionProviders": ["opa-authz"]}
	count(ap_custom_provider.violation) == 0 with input as review(custom)
		with data.meshguard.config as config(["opa-authz"])
		with data.meshguard.meshConfig as {}
}
