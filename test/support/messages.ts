/**
 * Whole finding lines as meshguard writes them (src/policy/message.ts), for tests that assert full
 * denial messages and warnings under the default org config.
 */

/** The Exempt sentence of an unlocked rule under the default exemption model. */
export const EXEMPT_DEFAULT = 'Exempt: an Exemption in namespace meshguard-system, or the annotation meshguard.io/exempt set by group system:masters, for at most 90 days.';

/** The Exempt sentence of a locked rule. */
export const EXEMPT_LOCKED = 'Exempt: not exemptible (locked by the org config; only its exemptions.entries apply).';

/** Fix sentences of the built-in rules the tests meet most (copied from their METADATA). */
export const FIX = {
  'vs-subset-exists': 'Add the subset to a DestinationRule for the host (in this namespace, the host\'s namespace or the root namespace), or route to a subset that exists.',
  'pa-strict-mtls': 'Set mtls.mode STRICT (or leave it UNSET) at the top level and in every portLevelMtls entry; a namespace that must accept plain text needs the param `allowedNamespaces` or an org-config exemption entry.',
  'test-label': 'Remove what the test rule looks for.',
  'dr-subset-in-use': 'Route the VirtualServices listed to another subset first, or keep the subset in the DestinationRule.',
  'gw-credential-in-use': 'Point the Gateways listed at another credential first, or keep the Secret.',
} as const;

/**
 * One finding line: `[id CODE] text Fix: fix Exempt: ... See docs/rules.md#id`. `text` is the rule
 * message with its field and full stop, as the formatter ends it.
 */
export function findingLine(id: string, text: string, fix: string, exempt: string = EXEMPT_DEFAULT, code?: string): string {
  return `[${id}${code ? ` ${code}` : ''}] ${text} Fix: ${fix} ${exempt} See docs/rules.md#${id}`;
}
