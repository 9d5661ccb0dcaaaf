/**
 * The exact output of `kubectl` for meshguard's answers (test/e2e/kubectl.test.ts), one place for
 * each text; the README's "What kubectl prints" section copies them. kubectl runs in
 * ../shared/data/seed-examples (the design document's examples), namespace e2e-mesh (labelled
 * istio-injection=enabled) where the Service my-app exists; `<pod-file>` stands for a Pod written
 * from the 6.1 Deployment's template.
 */

/** One kubectl invocation and everything it prints. */
export interface KubectlCase {
  readonly title: string;
  readonly args: readonly string[];
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `kubectl apply` of the design document's Telemetry (5.1): tm-sampling-cap denies 100% sampling. */
const SAMPLING_DENIED = 'Error from server (Forbidden): error when creating "5.1-telemetry.yaml": admission webhook "istio.validate.meshguard.io" denied the request: [tm-sampling-cap] Telemetry e2e-mesh/default samples 100% of requests for tracing in tracing[0], above the org cap of 10% (spec.tracing[0].randomSamplingPercentage). Fix: Lower tracing[0].randomSamplingPercentage to 10 or less (param maxSamplingPercentage), or have namespace e2e-mesh added to the param allowedNamespaces. Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#tm-sampling-cap\n';

/** The design document's RequestAuthentication (4.3): ra-forward-token warns. */
const FORWARD_TOKEN_WARNING = 'Warning: [ra-forward-token] RequestAuthentication e2e-mesh/jwt-auth forwards the original JWT of issuer "https://auth.example.com" to the workload (jwtRules[0].forwardOriginalToken: true). Fix: Remove `forwardOriginalToken: true` and pass the claims the application needs with outputClaimToHeaders or outputPayloadToHeader. Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#ra-forward-token\n';

/**
 * The design document's DestinationRule (3.2), applied with `--validate=warn` (kubectl's default,
 * strict, refuses its misspelt connection pool fields: see the next case): the API server warns
 * about and drops the unknown field, and the mutating webhook says what it set.
 */
const DR_MUTATION_WARNINGS = 'Warning: unknown field "spec.trafficPolicy.connectionPool.http.maxConnections"\n'
  + 'Warning: meshguard: set spec.trafficPolicy.tls.mode ISTIO_MUTUAL (in-mesh host my-app)\n';

/** A Pod of the design document's Deployment (6.1): the sidecar sizing is completed, and said so. */
const POD_MUTATION_WARNINGS = "Warning: meshguard: completed the istio-proxy sidecar resources: cpu limit 250m (25% of the app's cpu limit 1), memory limit 256Mi (25% of the app's memory limit 1Gi); kept yours: cpu request 100m, memory request 128Mi\n"
  + 'Warning: meshguard: added holdApplicationUntilProxyStarts: true to proxy.istio.io/config (org defaults for pods Istio injects)\n';

/** `kubectl create namespace shop`: admitted, with the ns-mesh-enrolled warning (warn by default). */
const NAMESPACE_WARNING = 'Warning: [ns-mesh-enrolled] Namespace shop is not enrolled in the mesh: label it with one of ["istio-injection=enabled","istio.io/rev=*","istio.io/dataplane-mode=ambient"] (metadata.labels). Fix: Label the namespace `istio-injection=enabled`, `istio.io/rev=<revision>` or `istio.io/dataplane-mode=ambient`, or add it to the param `exemptNamespaces` if it stays out of the mesh. Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. See docs/rules.md#ns-mesh-enrolled\n';

export const KUBECTL_CASES: readonly KubectlCase[] = [
  {
    title: 'a denial: 100% trace sampling (5.1), server dry run',
    args: ['apply', '--dry-run=server', '-n', 'e2e-mesh', '-f', '5.1-telemetry.yaml'],
    code: 1, stdout: '', stderr: SAMPLING_DENIED,
  },
  {
    title: 'a denial: 100% trace sampling (5.1)',
    args: ['apply', '-n', 'e2e-mesh', '-f', '5.1-telemetry.yaml'],
    code: 1, stdout: '', stderr: SAMPLING_DENIED,
  },
  {
    title: 'a warning: the original JWT is forwarded (4.3), server dry run',
    args: ['apply', '--dry-run=server', '-n', 'e2e-mesh', '-f', '4.3-requestauthentication-jwt.yaml'],
    code: 0, stdout: 'requestauthentication.security.istio.io/jwt-auth created (server dry run)\n', stderr: FORWARD_TOKEN_WARNING,
  },
  {
    title: 'a warning: the original JWT is forwarded (4.3)',
    args: ['apply', '-n', 'e2e-mesh', '-f', '4.3-requestauthentication-jwt.yaml'],
    code: 0, stdout: 'requestauthentication.security.istio.io/jwt-auth created\n', stderr: FORWARD_TOKEN_WARNING,
  },
  {
    title: 'the API server itself refuses 3.2 under kubectl\'s default strict field validation (before any webhook)',
    args: ['apply', '--dry-run=server', '-n', 'e2e-mesh', '-f', '3.2-destinationrule-subsets.yaml'],
    code: 1, stdout: '',
    stderr: 'Error from server (BadRequest): error when creating "3.2-destinationrule-subsets.yaml": DestinationRule in version "v1alpha3" cannot be handled as a DestinationRule: strict decoding error: unknown field "spec.trafficPolicy.connectionPool.http.maxConnections"\n',
  },
  {
    title: 'a mutation: mTLS for an in-mesh host (3.2), server dry run',
    args: ['apply', '--dry-run=server', '--validate=warn', '-n', 'e2e-mesh', '-f', '3.2-destinationrule-subsets.yaml'],
    code: 0, stdout: 'destinationrule.networking.istio.io/my-app-dr created (server dry run)\n', stderr: DR_MUTATION_WARNINGS,
  },
  {
    title: 'a mutation: mTLS for an in-mesh host (3.2)',
    args: ['apply', '--validate=warn', '-n', 'e2e-mesh', '-f', '3.2-destinationrule-subsets.yaml'],
    code: 0, stdout: 'destinationrule.networking.istio.io/my-app-dr created\n', stderr: DR_MUTATION_WARNINGS,
  },
  {
    title: 'a mutation: the sidecar of the Deployment\'s Pod (6.1) is sized, server dry run',
    args: ['apply', '--dry-run=server', '-n', 'e2e-mesh', '-f', '<pod-file>'],
    code: 0, stdout: 'pod/my-app-7d9c5 created (server dry run)\n', stderr: POD_MUTATION_WARNINGS,
  },
  {
    title: 'a mutation: the sidecar of the Deployment\'s Pod (6.1) is sized',
    args: ['apply', '-n', 'e2e-mesh', '-f', '<pod-file>'],
    code: 0, stdout: 'pod/my-app-7d9c5 created\n', stderr: POD_MUTATION_WARNINGS,
  },
  {
    title: 'the Deployment itself (6.1): no warning about what the mutating webhook completes on its Pods',
    args: ['apply', '-n', 'e2e-mesh', '-f', '6.1-deployment-sidecar-annotations.yaml'],
    code: 0, stdout: 'deployment.apps/my-app created\n', stderr: '',
  },
  {
    title: 'kubectl create namespace',
    args: ['create', 'namespace', 'shop'],
    code: 0, stdout: 'namespace/shop created\n', stderr: NAMESPACE_WARNING,
  },
];
