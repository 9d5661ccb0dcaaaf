import { EventEmitter } from 'node:events';

/** The files meshguard reloads while it runs. */
export type ReloadSource = 'bundle' | 'orgConfig' | 'certificate';

/** One finished reload: emitted once per file version, after logs, metrics and readiness. */
export interface ReloadEvent {
  source: ReloadSource;
  result: 'success' | 'failure';
  /** The serving version afterwards (the bundle hash), when the source has one. */
  version?: string;
}

/**
 * Where reloads are announced (`reload` events). Callers that must act on a reload, and tests
 * that must wait for one, listen here instead of polling files or metrics.
 */
export class ReloadEvents extends EventEmitter<{ reload: [ReloadEvent] }> {
  /** Announces a finished reload. */
  reloaded(event: ReloadEvent): void {
    this.emit('reload', event);
  }
}
