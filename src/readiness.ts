/** One named readiness condition and what it says. */
export interface Check {
  ok: boolean;
  detail: string;
}

/**
 * Readiness: ready only when every registered check passes and shutdown has not begun. The /readyz
 * body lists every check, so an operator sees what is missing.
 */
export class Readiness {
  private readonly checks = new Map<string, Check>();
  private shuttingDown = false;

  set(name: string, ok: boolean, detail: string): void {
    this.checks.set(name, { ok, detail });
  }

  /** Marks the process as draining: readiness turns false, liveness stays true. */
  drain(): void {
    this.shuttingDown = true;
  }

  get draining(): boolean {
    return this.shuttingDown;
  }

  report(): { ready: boolean; checks: Record<string, Check> } {
    const checks = Object.fromEntries(this.checks);
    if (this.shuttingDown) checks.shutdown = { ok: false, detail: 'shutting down' };
    const ready = Object.values(checks).every((c) => c.ok);
    return { ready, checks };
  }
}
