import { formatFinding } from '../policy/message.js';
import type { CheckResult } from '../policy/offline.js';

/** Exit codes shared by `check` and `audit`: 2 also when an object could not be evaluated. */
export const EXIT = { OK: 0, DENIED: 1, UNREADABLE: 2 } as const;

/** The exit code for a set of results. */
export function exitCodeFor(results: CheckResult[]): number {
  if (results.some((r) => r.error)) return EXIT.UNREADABLE;
  return results.some((r) => !r.allowed) ? EXIT.DENIED : EXIT.OK;
}

/** Renders results as readable text: one header line per object with findings, one line per finding. */
export function renderText(results: CheckResult[], opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  let denied = 0;
  let warnings = 0;
  for (const r of results) {
    if (!r.allowed) denied++;
    const where = r.namespace ? `${r.namespace}/${r.name}` : r.name;
    // Objects read from a cluster (audit) have no line: print just the source.
    const source = r.line > 0 ? `${r.file}:${r.line}` : r.file;
    if (r.error) {
      lines.push(`ERROR  ${r.kind} ${where} (${source}): ${r.error}`);
      continue;
    }
    if (r.violations.length === 0 && !opts.verbose) continue;
    lines.push(`${r.allowed ? 'ok    ' : 'DENIED'} ${r.kind} ${where} (${source})`);
    for (const v of r.violations) {
      if (v.enforcement === 'warn' && !v.exempt) warnings++;
      const tag = v.exempt ? 'exempt' : v.enforcement;
      const exempted = v.exemptReason ? `${v.exemptSource ? `${v.exemptSource}: ` : ''}${v.exemptReason}` : undefined;
      lines.push(`  ${tag.padEnd(6)} ${formatFinding({ ...v, ...(exempted ? { exempted } : {}) })}`);
    }
  }
  lines.push(`${results.length} objects checked: ${denied} denied, ${warnings} warnings`);
  return lines.join('\n');
}

/** `--output json`: {"results": [...]}. */
export function renderJson(results: CheckResult[]): string {
  return JSON.stringify({
    results: results.map((r) => ({
      file: r.file, line: r.line, apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name, allowed: r.allowed,
      ...(r.error ? { error: r.error } : {}), violations: r.violations,
    })),
  }, null, 2);
}
