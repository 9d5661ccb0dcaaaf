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
  /**
   * The admission operations the rule judges (METADATA `custom.operations`), when not CREATE and
   * UPDATE: the referential rules judge UPDATE and DELETE of the objects others refer to.
   */
  operations?: string[];
  package: string;
  /** One imperative sentence: how to fix a violation (METADATA `custom.fix`; the build requires it). */
  fix?: string;
  /** Why the default enforcement is what it is, in a few words (METADATA `custom.why`). */
  why?: string;
  /** The rule's METADATA description: what it checks, as docs/rules.md prints it. */
  description?: string;
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
  /** Why an exemption that names this rule was not honoured (an ignored annotation or Exemption). */
  exemptionNote?: string;
  /** The offending field path (`details.field`). */
  field?: string;
  /** How to fix it: `details.fix`, else the catalog's `fix`. */
  fix?: string;
  /** How this violation could be exempted under the org's exemption model. */
  exemptHow?: string;
  /** The documentation anchor, `docs/rules.md#<rule-id>`. */
  docs?: string;
}
