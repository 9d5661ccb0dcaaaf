/**
 * What `kubectl` prints in the referential-integrity and blast-radius e2e (test/e2e/referential.test.ts),
 * exactly, in one place: the texts the README quotes. The namespace is the harness's mesh namespace.
 */
import { NS } from './harness.js';

/** `kubectl delete destinationrule reviews` while two VirtualServices route to its subset v1 (stderr, exit code 1). */
export const DELETE_ROUTED_DESTINATION_RULE = 'Error from server (Forbidden): admission webhook "references.validate.meshguard.io" denied the request: '
  + `[dr-subset-in-use IST0101] DestinationRule ${NS.mesh}/reviews is deleted, but subset v1 of host reviews.${NS.mesh}.svc.cluster.local `
  + `is still referenced by VirtualService ${NS.mesh}/reviews (spec.http[0].route[0].destination), VirtualService ${NS.mesh}/reviews-canary (spec.http[0].route[1].destination). `
  + 'Fix: Route the VirtualServices listed to another subset first, or keep the subset in the DestinationRule. '
  + 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days. '
  + 'See docs/rules.md#dr-subset-in-use\n';

/** `kubectl delete virtualservice reviews` (stdout): referrers are never intercepted. */
export const DELETE_VIRTUAL_SERVICE = `virtualservice.networking.istio.io "reviews" deleted from ${NS.mesh} namespace\n`;

/** `kubectl delete destinationrule reviews` once no VirtualService routes to its subsets (stdout). */
export const DELETE_UNUSED_DESTINATION_RULE = `destinationrule.networking.istio.io "reviews" deleted from ${NS.mesh} namespace\n`;

/** `kubectl create namespace shop` while meshguard is down (stdout): the Namespace webhook fails open. */
export const CREATE_NAMESPACE_WHILE_DOWN = 'namespace/shop created\n';
