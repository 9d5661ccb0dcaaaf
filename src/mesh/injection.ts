/**
 * Sidecar injection and the dataplane of a pod, as Istio decides them (the same answers as
 * `istio.injected` / `istio.dataplane` in Rego; policies/lib/testdata/mesh/injection/data.json is
 * the table both run).
 */
import { isRecord } from '../inventory/objects.js';
import { selects, type LabelSelector } from './selector.js';

/** The sidecar injector's settings (the `config` key of the istio-sidecar-injector ConfigMap). */
export interface InjectorSettings {
  /** `enabled` (default) or `disabled`; any other value turns injection off, as in Istio. */
  readonly policy?: string;
  readonly neverInjectSelector?: readonly LabelSelector[];
  readonly alwaysInjectSelector?: readonly LabelSelector[];
}

/** A pod or pod template: `metadata` and `spec`. */
export interface PodTemplateLike {
  readonly metadata?: unknown;
  readonly spec?: unknown;
}

/** Whether a sidecar is injected, and why (for notes). */
export interface InjectionAnswer {
  readonly inject: boolean;
  readonly reason: string;
}

/** Where a pod's traffic goes: its own sidecar, ambient's ztunnel, or nowhere in the mesh. */
export type Dataplane = 'sidecar' | 'ambient' | 'none';

const INJECT = 'sidecar.istio.io/inject';
const REV = 'istio.io/rev';
const NS_INJECTION = 'istio-injection';
const DATAPLANE = 'istio.io/dataplane-mode';
const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public']);

function stringMap(v: unknown): Record<string, string> {
  return isRecord(v) ? (v as Record<string, string>) : {};
}

function parts(t: PodTemplateLike): { labels: Record<string, string>; annotations: Record<string, string>; hostNetwork: boolean } {
  const meta = isRecord(t.metadata) ? t.metadata : {};
  return { labels: stringMap(meta.labels), annotations: stringMap(meta.annotations), hostNetwork: isRecord(t.spec) && t.spec.hostNetwork === true };
}

const has = (m: Record<string, string>, k: string): boolean => Object.prototype.hasOwnProperty.call(m, k);
const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

const ON_VALUES = ['y', 'yes', 'true', 'on'];

/**
 * Whether one of the injector webhooks of Istio's chart is called for the pod: `undefined` when
 * one is, else why not. An unknown namespace (`ns` undefined) counts as an injection namespace
 * only for a pod that opts in itself.
 */
function notSelected(labels: Record<string, string>, annotations: Record<string, string>, ns: Record<string, string> | undefined, namespace: string): string | undefined {
  if (labels[INJECT] === 'false') return `the pod opts out with ${INJECT}`;
  if (ns === undefined) {
    const raw = has(labels, INJECT) ? asText(labels[INJECT]) : has(annotations, INJECT) ? asText(annotations[INJECT]) : '';
    return ON_VALUES.includes(raw.toLowerCase()) || has(labels, REV) ? undefined : `namespace ${namespace} unknown and the pod does not opt in with ${INJECT}`;
  }
  if (ns[NS_INJECTION] === 'enabled') return undefined;
  if (has(ns, NS_INJECTION)) return `namespace ${namespace} has ${NS_INJECTION}=${ns[NS_INJECTION]}`;
  if (has(ns, REV) || has(labels, REV) || labels[INJECT] === 'true') return undefined;
  return `namespace ${namespace} is not in the mesh`;
}

/** The pod's switch after the injector's selectors: on, off or default. */
function switchChoice(labels: Record<string, string>, annotations: Record<string, string>, injector: InjectorSettings): string {
  const raw = has(labels, INJECT) ? asText(labels[INJECT]) : has(annotations, INJECT) ? asText(annotations[INJECT]) : '';
  if (ON_VALUES.includes(raw.toLowerCase())) return 'on';
  if (raw !== '') return 'off';
  if ((injector.neverInjectSelector ?? []).some((s) => selects(s, labels))) return 'off by neverInjectSelector';
  if ((injector.alwaysInjectSelector ?? []).some((s) => selects(s, labels))) return 'on by alwaysInjectSelector';
  return 'default';
}

/**
 * Decides injection as Istio does: one of the chart's webhooks must select the pod (namespace
 * `istio-injection=enabled`; namespace `istio.io/rev` without `istio-injection`; or, in a
 * namespace with neither, the pod label `sidecar.istio.io/inject=true` or a pod `istio.io/rev`
 * label; the pod label `sidecar.istio.io/inject=false` always opts out), then the injector's
 * `injectRequired`: never hostNetwork pods nor kube-system/kube-public; the pod's switch (label
 * over annotation; y/yes/true/on opt in, any other non-empty value opts out), then
 * `neverInjectSelector`, then `alwaysInjectSelector`, then `policy`.
 * When the namespace is not known, the pod's own opt-in (switch on, or an `istio.io/rev` label)
 * stands for an injection namespace; anything else for an unlabelled one.
 * @param nsLabels the namespace's labels; undefined when the namespace is not known.
 */
export function injection(t: PodTemplateLike, namespace: string, nsLabels: Record<string, string> | undefined, injector: InjectorSettings = {}): InjectionAnswer {
  const { labels, annotations, hostNetwork } = parts(t);
  const refused = notSelected(labels, annotations, nsLabels, namespace);
  if (refused !== undefined) return { inject: false, reason: refused };
  if (hostNetwork) return { inject: false, reason: 'hostNetwork pods get no sidecar' };
  if (IGNORED_NAMESPACES.has(namespace)) return { inject: false, reason: `Istio never injects into ${namespace}` };
  const choice = switchChoice(labels, annotations, injector);
  const policy = injector.policy ?? 'enabled';
  if (choice.startsWith('off')) return { inject: false, reason: `the pod opts out with ${choice === 'off' ? INJECT : 'the injector\'s neverInjectSelector'}` };
  const byNamespace = nsLabels !== undefined && (nsLabels[NS_INJECTION] === 'enabled' || has(nsLabels, REV));
  const why = byNamespace ? `namespace ${namespace} injects sidecars` : 'the pod opts in itself';
  if (policy === 'enabled' || (policy === 'disabled' && choice.startsWith('on'))) return { inject: true, reason: why };
  return { inject: false, reason: policy === 'disabled' ? 'the injector policy is disabled and the pod does not opt in' : `the injector policy ${policy} turns injection off` };
}

/** The dataplane of a pod: `sidecar` when injected, `ambient` when ambient captures it, else `none`. */
export function dataplane(t: PodTemplateLike, namespace: string, nsLabels: Record<string, string> | undefined, injector: InjectorSettings = {}): Dataplane {
  if (injection(t, namespace, nsLabels, injector).inject) return 'sidecar';
  const { labels, hostNetwork } = parts(t);
  const ambient = (nsLabels ?? {})[DATAPLANE] === 'ambient' || labels[DATAPLANE] === 'ambient';
  return ambient && labels[DATAPLANE] !== 'none' && !hostNetwork ? 'ambient' : 'none';
}
