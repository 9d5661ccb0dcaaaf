/** A reload that failed while an older version keeps serving. */
export interface Degradation {
  /** What failed, without file paths (the log line has them). */
  failed: string;
  /** When the first failure of this streak happened (ISO 8601). */
  since: string;
}

/** One named readiness condition and what it says. */
export interface Check {
  ok: boolean;
  detail: string;
  /** Set while the check passes on an older version because a reload failed. */
  degraded?: Degradation;
}

/** The /readyz body. */
export interface ReadinessReport {
  ready: boolean;
  /** True when a check passes only on an older version (a failed reload): serving, but look. */
  degraded: boolean;
  checks: Record<string, Check>;
}

/**
 * Readiness: ready only when every registered check passes and shutdown has not begun. The /readyz
 * body lists every check, so an operator sees what is missing. A failed reload while an older
 * version still serves is degraded, not unready: every replica reads the same files, and a bad one
 * must not take them all out of the Service at once.
 */
export class Readiness {
  private readonly checks = new Map<string, Check>();
  private shuttingDown = false;

  set(name: string, ok: boolean, detail: string): void {
    this.checks.set(name, { ok, detail });
  }

  /**
   * Records a failed reload of `name` while its previous version keeps serving: the check stays
   * ok and carries the degradation. Repeated failures keep the first `since`.
   */
  degrade(name: string, detail: string, failed: string, now: Date = new Date()): Degradation {
    const since = this.checks.get(name)?.degraded?.since ?? now.toISOString();
    const degraded = { failed, since };
    this.checks.set(name, { ok: true, detail, degraded });
    return degraded;
  }

  /** The degradation of a check, if any. */
  degradation(name: string): Degradation | undefined {
    return this.checks.get(name)?.degraded;
  }

  /** Marks the process as draining: readiness turns false, liveness stays true. */
  drain(): void {
    this.shuttingDown = true;
  }

  get draining(): boolean {
    return this.shuttingDown;
  }

  report(): ReadinessReport {
    const checks = Object.fromEntries(this.checks);
    if (this.shuttingDown) checks.shutdown = { ok: false, detail: 'shutting down' };
    const ready = Object.values(checks).every((c) => c.ok);
    const degraded = Object.values(checks).some((c) => c.degraded !== undefined);
    return { ready, degraded, checks };
  }
}
