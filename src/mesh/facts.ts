/**
 * Istio's mesh config as meshguard reads it: the `istio` ConfigMap (key `mesh`, YAML MeshConfig)
 * and the `istio-sidecar-injector` ConfigMap (keys `config` and `values`) of the Istio root
 * namespace, or an `IstioOperator` (spec.meshConfig, spec.values.sidecarInjectorWebhook). The
 * facts are handed to Rego as `data.meshguard.meshConfig` (read with `istio.config(key, default)`)
 * and to the mutators as `MutationEnv.meshConfig`; any fact not read falls back to the org
 * config's `mesh:` section in Rego.
 */
import { isRecord } from '../inventory/objects.js';
import type { InjectorSettings } from './injection.js';
import type { LabelSelector } from './selector.js';

/** The facts rules and mutators read (every key optional: absent means "not known here"). */
export interface MeshFacts {
  rootNamespace?: string;
  trustDomain?: string;
  enableAutoMtls?: boolean;
  /** `ALLOW_ANY` or `REGISTRY_ONLY` (outboundTrafficPolicy.mode). */
  outboundTrafficPolicy?: string;
  /** defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE == "true". */
  dnsCapture?: boolean;
  /** defaultConfig.proxyMetadata.ISTIO_META_DNS_AUTO_ALLOCATE == "true". */
  dnsAutoAllocate?: boolean;
  defaultProviders?: Record<string, unknown>;
  /** Names of meshConfig.extensionProviders. */
  extensionProviders?: string[];
  defaultServiceExportTo?: string[];
  defaultVirtualServiceExportTo?: string[];
  defaultDestinationRuleExportTo?: string[];
  injector?: InjectorSettings;
}

/** The ConfigMap names Istio uses (revisioned installs append `-<rev>`). */
export const MESH_CONFIGMAP = 'istio';
export const INJECTOR_CONFIGMAP = 'istio-sidecar-injector';
/** Istio's default root namespace (setting istioRootNamespace). */
export const DEFAULT_ISTIO_ROOT_NAMESPACE = 'istio-system';

/** A mesh config that cannot be read; the message names the object and key. */
export class MeshConfigError extends Error {}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : undefined);

function flag(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  return typeof v === 'string' ? v.toLowerCase() === 'true' : undefined;
}

function setIf<K extends keyof MeshFacts>(facts: MeshFacts, key: K, value: MeshFacts[K] | undefined): void {
  if (value !== undefined) facts[key] = value;
}

/** The facts of a MeshConfig mapping (the `mesh` key of the istio ConfigMap, or spec.meshConfig). */
export function factsFromMeshConfig(mesh: Record<string, unknown>): MeshFacts {
  const facts: MeshFacts = {};
  const defaultConfig = isRecord(mesh.defaultConfig) ? mesh.defaultConfig : {};
  const metadata = isRecord(defaultConfig.proxyMetadata) ? defaultConfig.proxyMetadata : {};
  setIf(facts, 'rootNamespace', str(mesh.rootNamespace));
  setIf(facts, 'trustDomain', str(mesh.trustDomain));
  setIf(facts, 'enableAutoMtls', typeof mesh.enableAutoMtls === 'boolean' ? mesh.enableAutoMtls : undefined);
  setIf(facts, 'outboundTrafficPolicy', isRecord(mesh.outboundTrafficPolicy) ? str(mesh.outboundTrafficPolicy.mode) : undefined);
  setIf(facts, 'dnsCapture', flag(metadata.ISTIO_META_DNS_CAPTURE));
  setIf(facts, 'dnsAutoAllocate', flag(metadata.ISTIO_META_DNS_AUTO_ALLOCATE));
  setIf(facts, 'defaultProviders', isRecord(mesh.defaultProviders) ? mesh.defaultProviders : undefined);
  if (Array.isArray(mesh.extensionProviders)) {
    facts.extensionProviders = mesh.extensionProviders.map((p) => (isRecord(p) ? str(p.name) : undefined)).filter((n): n is string => n !== undefined);
  }
  setIf(facts, 'defaultServiceExportTo', strList(mesh.defaultServiceExportTo));
  setIf(facts, 'defaultVirtualServiceExportTo', strList(mesh.defaultVirtualServiceExportTo));
  setIf(facts, 'defaultDestinationRuleExportTo', strList(mesh.defaultDestinationRuleExportTo));
  return facts;
}

function selectors(v: unknown): LabelSelector[] | undefined {
  return Array.isArray(v) ? v.filter(isRecord).map((s) => s as LabelSelector) : undefined;
}

/** Injector settings from the injector ConfigMap's `config` mapping or sidecarInjectorWebhook values. */
export function injectorSettings(config: Record<string, unknown>): InjectorSettings | undefined {
  const out: { policy?: string; neverInjectSelector?: LabelSelector[]; alwaysInjectSelector?: LabelSelector[] } = {};
  const policy = typeof config.policy === 'boolean' ? (config.policy ? 'enabled' : 'disabled') : str(config.policy);
  if (policy !== undefined) out.policy = policy;
  const never = selectors(config.neverInjectSelector);
  const always = selectors(config.alwaysInjectSelector);
  if (never) out.neverInjectSelector = never;
  if (always) out.alwaysInjectSelector = always;
  return Object.keys(out).length > 0 ? out : undefined;
}
