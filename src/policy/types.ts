/** What the policy engine and the decision mapping exchange. */
import type { HonouredExemption } from './exemptions.js';

/** One rule's METADATA, as packed into the bundle's `data.meshguard.catalog`. */
export interface RuleInfo {
  id: string;
  title: string;
  severity: string;
  /** Default enforcement when the org config says nothing. */
  enforcement: string;
  /** Istio mesh config facts the rule reads (METADATA `custom.meshConfig`). */
  meshConfig?: string[];
  istioCode?: string;
  kinds?: string[];
  package: string;
  /** The API family the rule judges (METADATA `custom.api`): istio (the default), gateway-api or ambient. */
  api?: string;
}

export type RuleCatalog = Record<string, RuleInfo>;

export type Enforcement = 'deny' | 'warn' | 'dryrun';

/** A violation as the Wasm entrypoint returns it. */
export interface Violation {
  id: string;
  message: string;
  enforcement: Enforcement;
  details: Record<string, unknown>;
}

/** A violation after exemptions are applied. */
export interface JudgedViolation extends Violation {
  /** Why the violation does not count, when it does not. */
  exempt?: string;
  /** The exemption that applies, when one does. */
  exemption?: HonouredExemption;
  istioCode?: string;
}
