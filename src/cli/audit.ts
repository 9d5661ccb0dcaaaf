import { describeError, MeshguardError } from '../errors.js';
import { auditObjects, readCluster } from '../audit/audit.js';
import { KubeHttp, loadKubeConfig } from '../kube/client.js';
import { buildPolicyReports, existingReportNamespaces, writePolicyReports, type ReportResult } from '../audit/policy-report.js';
import { loadOrgConfig } from '../org-config.js';
import { offlineEngine } from './engine.js';
import { EXIT, exitCodeFor, renderJson, renderText } from './output.js';

/** Options of `meshguard audit`. */
export interface AuditCliOptions {
  output?: 'text' | 'json';
  kubeconfig?: string;
  policyBundle?: string;
  orgConfig?: string;
  namespace?: string;
  /** Namespace whose Exemption objects count (default meshguard-system). */
  exemptionNamespace?: string;
  policyReport?: boolean;
  /** With policyReport: add the sidecar sizing recommendations (Prometheus) as results. */
  sizing?: boolean;
  prometheusUrl?: string;
  verbose?: boolean;
}

async function sizingResults(opts: AuditCliOptions): Promise<Map<string, ReportResult[]>> {
  const [{ recommendationRows }, { sizingReportResults }] = await Promise.all([import('./recommend.js'), import('./recommend-output.js')]);
  const rows = await recommendationRows({
    ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}),
    ...(opts.orgConfig ? { orgConfig: opts.orgConfig } : {}), ...(opts.prometheusUrl ? { prometheusUrl: opts.prometheusUrl } : {}),
  });
  return sizingReportResults(rows, new Date());
}

/** Where `runAudit` writes; tests pass their own. */
export interface AuditIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const consoleIo: AuditIo = { out: (t) => console.log(t), err: (t) => console.error(t) };

/**
 * `meshguard audit`: reads the cluster's objects of every kind the rules judge (and the inventory
 * kinds the cross-resource rules read), judges them exactly as `check` judges files, prints the
 * results with the same renderers and returns the same exit codes (0 nothing denied, 1 something
 * would be denied, 2 an object could not be evaluated or the cluster could not be read). With
 * `policyReport`, also server-side-applies one PolicyReport per namespace and a ClusterPolicyReport.
 * Errors are one line on stderr, without a stack.
 */
export async function runAudit(opts: AuditCliOptions, io: AuditIo = consoleIo): Promise<number> {
  try {
    const http = new KubeHttp(loadKubeConfig(opts.kubeconfig));
    const [engine, org] = await Promise.all([offlineEngine(opts.policyBundle), loadOrgConfig(opts.orgConfig)]);
    const snapshot = await readCluster(http, engine.catalog, { ...(opts.namespace ? { namespace: opts.namespace } : {}), ...(opts.exemptionNamespace ? { exemptionNamespace: opts.exemptionNamespace } : {}) });
    for (const note of snapshot.notes) io.err(`meshguard audit: ${note}`);
    const results = auditObjects(engine, org, snapshot.judged, snapshot.inventory, undefined, opts.exemptionNamespace);
    io.out(opts.output === 'json' ? renderJson(results) : renderText(results, { verbose: opts.verbose }));
    if (opts.policyReport) {
      const stale = opts.namespace ? [] : await existingReportNamespaces(http);
      const scope = opts.namespace ? [opts.namespace] : stale;
      const extra = opts.sizing ? await sizingResults(opts).catch((err: unknown) => {
        io.err(`meshguard audit: sizing recommendations left out: ${err instanceof MeshguardError ? `${err.code}: ` : ''}${describeError(err)}`);
        return undefined;
      }) : undefined;
      const reports = buildPolicyReports(results, engine.catalog, { alsoNamespaces: scope, ...(extra ? { extra } : {}) });
      const written = await writePolicyReports(http, opts.namespace ? reports.filter((r) => r.metadata.namespace === opts.namespace) : reports);
      if (!written.installed) io.err('meshguard audit: the PolicyReport CRD (policyreports.wgpolicyk8s.io, v1alpha2) is not installed; --policy-report skipped');
      else io.err(`meshguard audit: wrote ${written.written.length} policy reports (${written.written.join(', ')})`);
    }
    return exitCodeFor(results);
  } catch (err) {
    const code = err instanceof MeshguardError ? `${err.code}: ` : '';
    io.err(`meshguard audit: ${code}${describeError(err)}`);
    return EXIT.UNREADABLE;
  }
}
