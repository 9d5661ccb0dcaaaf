import type { Inventory } from '../inventory/inventory.js';
import type { KubeObject } from '../inventory/objects.js';
import { nextTlsChange, rejudgeTlsFacts, type TlsFacts } from '../inventory/tls-facts.js';

/** Longest single wait; Node timers cannot wait longer than about 24.8 days. */
const MAX_WAIT_MS = 24 * 60 * 60 * 1000;

/** A running expiry refresher. */
export interface TlsExpiry {
  /** Judges every Secret's TLS facts again now and re-arms the timer (what the timer runs). */
  refresh(): void;
  /** The instant (ms since epoch) the timer is armed for, if any. */
  readonly nextAt: number | undefined;
  stop(): void;
}

function factsOf(secret: KubeObject): TlsFacts | undefined {
  const facts = secret.tlsFacts as TlsFacts | undefined;
  return facts && typeof facts === 'object' ? facts : undefined;
}

/**
 * Keeps the Secrets' TLS facts (setting secretTlsFacts) true as time passes: a certificate that
 * expires, or becomes valid, while nothing in the cluster changes. The facts keep the certificate's
 * notBefore and notAfter, so they are judged again from those (the data is long gone) at the next
 * such instant of any Secret in the inventory; the changed Secrets are stored again, which pushes
 * the data to the policy engine like any other change. Evaluation itself stays a pure function of
 * the AdmissionReview and the pushed data. The timer is re-armed after every change to Secrets
 * (one scan of the Secrets; changes to other kinds cost nothing here).
 */
export function startTlsExpiry(inventory: Inventory, now: () => Date = () => new Date()): TlsExpiry {
  let timer: NodeJS.Timeout | undefined;
  let nextAt: number | undefined;
  let refreshing = false;
  let seen = -1;

  const arm = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    seen = inventory.kindVersion('Secret');
    const at = now();
    const instants = inventory.list('Secret').map((s) => factsOf(s)).map((f) => (f ? nextTlsChange(f, at) : undefined));
    nextAt = instants.reduce<number | undefined>((min, t) => (t !== undefined && (min === undefined || t < min) ? t : min), undefined);
    if (nextAt === undefined) return;
    timer = setTimeout(refresh, Math.min(MAX_WAIT_MS, Math.max(0, nextAt - at.getTime())));
    timer.unref();
  };

  const refresh = (): void => {
    const at = now();
    refreshing = true;
    try {
      for (const secret of inventory.list('Secret')) {
        const facts = factsOf(secret);
        if (!facts) continue;
        const fresh = rejudgeTlsFacts(facts, at);
        if (fresh.valid !== facts.valid || fresh.problem !== facts.problem) inventory.upsert({ ...secret, tlsFacts: fresh }, 'Secret');
      }
    } finally {
      refreshing = false;
    }
    arm();
  };

  const unsubscribe = inventory.onChange(() => {
    if (!refreshing && inventory.kindVersion('Secret') !== seen) arm();
  });
  arm();
  return {
    refresh,
    get nextAt() {
      return nextAt;
    },
    stop() {
      unsubscribe();
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
