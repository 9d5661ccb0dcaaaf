package meshguard.rules.dr_tls_no_ca_cert_test

import data.meshguard.rules.dr_tls_no_ca_cert

review(spec) := {"request": {
	"uid": "1",
	"kind": {"group": "networking.istio.io", "version": "v1", "kind": "DestinationRule"},
	"namespace": "prod",
	"operation": "CREATE",
	"object": {
		"apiVersion": "networking.istio.io/v1",
		"kind": "DestinationRule",
		"metadata": {"name": "api", "namespace": "prod"},
		"spec": spec,
	},
}}

test_simple_without_ca_is_flagged if {
	dr_tls_no_ca_cert.violation == {{
		"id": "dr-tls-no-ca-cert",
		"message": "DestinationRule prod/api has spec.trafficPolicy.tls.mode SIMPLE for host api.example.com but neither caCertificates nor credentialName is set, so the server certificate is not verified",
		"details": {"field": "spec.trafficPolicy.tls", "mode": "SIMPLE", "host": "api.example.com", "problem": "neither caCertificates nor credentialName is set"},
	}} with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}})
}

test_credential_name_without_workload_selector_is_flagged_like_istioctl if {
	dr_tls_no_ca_cert.violation == {{
		"id": "dr-tls-no-ca-cert",
		"message": "DestinationRule prod/api has spec.trafficPolicy.tls.mode MUTUAL for host api.example.com but caCertificates is not set and credentialName counts only with a workloadSelector, so the server certificate is not verified",
		"details": {"field": "spec.trafficPolicy.tls", "mode": "MUTUAL", "host": "api.example.com", "problem": "caCertificates is not set and credentialName counts only with a workloadSelector"},
	}} with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "MUTUAL", "credentialName": "api-client"}}})
}

test_subsets_are_not_checked_like_istioctl if {
	count(dr_tls_no_ca_cert.violation) == 0 with input as review({"host": "api.example.com", "subsets": [{"name": "v1", "labels": {"v": "1"}, "trafficPolicy": {"tls": {"mode": "MUTUAL", "credentialName": "client", "insecureSkipVerify": true}}}]})
}

test_ca_certificates_is_allowed if {
	count(dr_tls_no_ca_cert.violation) == 0 with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "SIMPLE", "caCertificates": "/etc/ca.pem"}}})
}

test_credential_name_with_workload_selector_is_allowed if {
	count(dr_tls_no_ca_cert.violation) == 0 with input as review({"host": "api.example.com", "workloadSelector": {"matchLabels": {"app": "egress"}}, "trafficPolicy": {"tls": {"mode": "MUTUAL", "credentialName": "api-client"}}})
}

test_port_level_is_left_to_the_port_rule if {
	count(dr_tls_no_ca_cert.violation) == 0 with input as review({"host": "api.example.com", "trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE"}}]}})
}

test_istio_mutual_is_allowed if {
	count(dr_tls_no_ca_cert.violation) == 0 with input as review({"host": "reviews", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}})
}

test_delete_is_ignored if {
	count(dr_tls_no_ca_cert.violation) == 0 with input as object.union(review({"host": "a.com", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}}), {"request": {"operation": "DELETE"}})
}
