package meshguard.rules.dr_tls_no_ca_cert_port_test

import data.meshguard.rules.dr_tls_no_ca_cert_port

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

test_port_level_simple_without_ca_is_flagged if {
	dr_tls_no_ca_cert_port.violation == {{
		"id": "dr-tls-no-ca-cert-port",
		"message": "DestinationRule prod/api has spec.trafficPolicy.portLevelSettings[0].tls.mode SIMPLE for host api.example.com port 443 but neither caCertificates nor credentialName is set, so the server certificate is not verified",
		"details": {"field": "spec.trafficPolicy.portLevelSettings[0].tls", "mode": "SIMPLE", "host": "api.example.com", "port": "443", "problem": "neither caCertificates nor credentialName is set"},
	}} with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "SIMPLE", "caCertificates": "/ca.pem"}, "portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE"}}]}})
}

test_subsets_and_insecure_skip_verify_are_not_checked_like_istioctl if {
	count(dr_tls_no_ca_cert_port.violation) == 0 with input as review({"host": "api.example.com", "subsets": [{"name": "v1", "labels": {"v": "1"}, "trafficPolicy": {"portLevelSettings": [{"port": {"number": 8443}, "tls": {"mode": "MUTUAL"}}]}}]})
	count(dr_tls_no_ca_cert_port.violation) == 0 with input as review({"host": "api.example.com", "trafficPolicy": {"portLevelSettings": [{"port": {"number": 8443}, "tls": {"mode": "MUTUAL", "caCertificates": "/ca.pem", "insecureSkipVerify": true}}]}})
}

test_port_level_credential_name_counts_only_with_a_workload_selector if {
	dr_tls_no_ca_cert_port.violation == {{
		"id": "dr-tls-no-ca-cert-port",
		"message": "DestinationRule prod/api has spec.trafficPolicy.portLevelSettings[0].tls.mode SIMPLE for host api.example.com port 443 but caCertificates is not set and credentialName counts only with a workloadSelector, so the server certificate is not verified",
		"details": {"field": "spec.trafficPolicy.portLevelSettings[0].tls", "mode": "SIMPLE", "host": "api.example.com", "port": "443", "problem": "caCertificates is not set and credentialName counts only with a workloadSelector"},
	}} with input as review({"host": "api.example.com", "trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE", "credentialName": "api-ca"}}]}})
	count(dr_tls_no_ca_cert_port.violation) == 0 with input as review({"host": "api.example.com", "workloadSelector": {"matchLabels": {"app": "egress"}}, "trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE", "credentialName": "api-ca"}}]}})
}

test_top_level_is_left_to_the_destination_rule if {
	count(dr_tls_no_ca_cert_port.violation) == 0 with input as review({"host": "api.example.com", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}})
}

test_delete_is_ignored if {
	count(dr_tls_no_ca_cert_port.violation) == 0 with input as object.union(review({"host": "a.com", "trafficPolicy": {"portLevelSettings": [{"port": {"number": 443}, "tls": {"mode": "SIMPLE"}}]}}), {"request": {"operation": "DELETE"}})
}
