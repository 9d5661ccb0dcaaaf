#!/usr/bin/env node
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SETTINGS, flagName, legacyFlagName } from '../config.js';
import { DEFAULT_EXEMPTION_NAMESPACE } from '../policy/exemption-grants.js';
import { DEFAULT_ISTIO_ROOT_NAMESPACE } from '../mesh/facts.js';
import { describeError, MeshguardError } from '../errors.js';
import { packageRoot } from '../policy/opa-binary.js';
import { EXIT } from './output.js';

/** The version in meshguard's package.json (found from the compiled modules and from the start-up bundle alike). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

/** The parsed serve options keyed by setting key (a flag's attribute name can differ from it, e.g. `--policy-memory-mib`). */
function settingFlags(serve: Command, opts: Record<string, unknown>): Record<string, unknown> {
  const out = { ...opts };
  for (const s of SETTINGS) {
    const attribute = serve.options.find((o) => o.long === flagName(s.key))?.attributeName();
    if (attribute && attribute !== s.key && out[attribute] !== undefined) out[s.key] = out[attribute];
  }
  return out;
}

/** The `meshguard` command. Each subcommand imports its code lazily, so `serve` starts fast. */
export function buildCli(): Command {
  const program = new Command('meshguard')
    .description('Admission webhook for Istio: sidecar sizing, mTLS and telemetry defaults, Rego rules compiled to WebAssembly.')
    .version(packageVersion(), '-V, --version', 'print the meshguard version')
    .showHelpAfterError();

  const serve = program.command('serve').description('run the HTTPS admission webhook (POST /mutate, POST /validate) and the probe port')
    .option('--config <file>', 'YAML file with settings (flags and MESHGUARD_* env vars take precedence)');
  for (const s of SETTINGS) {
    const opt = new Option(`${flagName(s.key)} <value>`, `${s.doc}${s.default !== undefined ? ` (default ${s.default})` : ''}`);
    if (s.values) opt.choices([...s.values]);
    serve.addOption(opt);
    const legacy = legacyFlagName(s.key);
    if (legacy) serve.addOption(new Option(`${legacy} <value>`).hideHelp());
  }
  serve.action(async (opts: Record<string, unknown>) => {
    const { loadConfig } = await import('../config.js');
    const { main } = await import('../main.js');
    await main(loadConfig(settingFlags(serve, opts)));
  });

  program.command('check').description('evaluate manifests offline with the same engine and decisions as the webhook')
    .argument('<paths...>', 'files or directories of YAML/JSON manifests; - for stdin')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-n, --namespace <ns>', 'namespace for objects without one', 'default')
    .option('--policy-bundle <file>', 'policy bundle (default: the built-in pack)')
    .option('--org-config <file>', 'organisation config merged over the defaults')
    .option('--exemption-namespace <ns>', 'namespace whose Exemption objects count; given Exemptions without a namespace go there', DEFAULT_EXEMPTION_NAMESPACE)
    .option('--no-schema', 'skip validation against the Istio and Gateway API CRD schemas')
    .option('--crds <file>', 'CRD file to validate Istio objects against (default: the shipped Istio 1.30.3 CRDs)')
    .option('-v, --verbose', 'list objects without findings too')
    .option('--snapshot <file|url>', 'judge against the cluster snapshot written by `meshguard snapshot` (a file or an HTTP(S) URL), without cluster credentials')
    .action(async (paths: string[], opts) => {
      const { runCheck } = await import('./check.js');
      process.exitCode = await runCheck(paths, opts);
    });

  program.command('snapshot').description('write the cluster view the rules read (as the webhook\'s informers hold it) as a versioned, digest-checked snapshot')
    .requiredOption('-o, --output <target>', 'a file, configmap:<namespace>/<name> or secret:<namespace>/<name> (at most 1 MiB compressed), or an HTTP(S) URL (PUT)')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster or $KUBECONFIG)')
    .option('--secret-namespaces <list>', 'namespaces whose Secret metadata is read (as the webhook\'s secretNamespaces)', 'istio-system')
    .option('--exemption-namespace <ns>', 'namespace whose Exemption objects are read (meshguard\'s namespace)', DEFAULT_EXEMPTION_NAMESPACE)
    .option('--istio-root-namespace <ns>', 'Istio\'s root namespace (mesh config ConfigMaps)', DEFAULT_ISTIO_ROOT_NAMESPACE)
    .option('--timeout <seconds>', 'how long to wait for the cluster to be read', '120')
    .action(async (opts) => {
      const { runSnapshot } = await import('./snapshot.js');
      process.exitCode = await runSnapshot(opts);
    });

  program.command('mutate').description('print objects as the mutating webhook would change them')
    .argument('<paths...>', 'files or directories of YAML/JSON manifests; - for stdin')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json', 'patch']).default('yaml'))
    .option('-n, --namespace <ns>', 'namespace for objects without one', 'default')
    .option('--org-config <file>', 'organisation config merged over the defaults')
    .option('--templates', 'also size workload pod templates (sets mutation.sidecar.templates: true for this run)')
    .action(async (paths: string[], opts) => {
      const { runMutate } = await import('./mutate.js');
      process.exitCode = await runMutate(paths, opts);
    });

  const policies = program.command('policies').description('policy bundle tools');
  policies.command('build').description('opa fmt, opa check --strict, opa test, then opa build -t wasm with opa-wasm capabilities')
    .argument('<dir>', 'policy directory (one folder per rule)')
    .requiredOption('-o, --output <bundle>', 'bundle file to write (.tar.gz)')
    .option('--skip-tests', 'skip opa test')
    .action(async (dir: string, opts: { output: string; skipTests?: boolean }) => {
      const { buildPolicyBundle } = await import('../policy/build.js');
      const { resolveOpa } = await import('../policy/opa-binary.js');
      const result = await buildPolicyBundle({ opa: await resolveOpa(), policyDir: dir, output: opts.output, skipTests: opts.skipTests, log: (l) => console.error(l) });
      console.log(`built ${result.output} with ${Object.keys(result.catalog).length} rules`);
    });

  policies.command('list').description('list the rules of a bundle with their enforcement under the org config')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('--policy-bundle <file>', 'policy bundle (default: the built-in pack)')
    .option('--org-config <file>', 'organisation config merged over the defaults')
    .action(async (opts: { output: string; policyBundle?: string; orgConfig?: string }) => {
      const [{ offlineEngine }, { loadOrgConfig }, { rulesMarkdown }] = await Promise.all([import('./engine.js'), import('../org-config.js'), import('./rules-table.js')]);
      const [engine, org] = await Promise.all([offlineEngine(opts.policyBundle), loadOrgConfig(opts.orgConfig)]);
      const configured = (org.raw.rules ?? {}) as Record<string, unknown>;
      process.stdout.write(opts.output === 'json' ? `${JSON.stringify(engine.catalog, null, 2)}\n` : rulesMarkdown(engine.catalog, configured));
    });

  program.command('audit').description('list existing cluster objects that break the rules')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster or $KUBECONFIG)')
    .option('--policy-bundle <file>', 'policy bundle (default: the built-in pack)')
    .option('--org-config <file>', 'organisation config merged over the defaults')
    .option('--namespace <ns>', 'only this namespace')
    .option('--exemption-namespace <ns>', 'namespace whose Exemption objects count (meshguard\'s namespace)', DEFAULT_EXEMPTION_NAMESPACE)
    .option('--policy-report', 'also write one wgpolicyk8s.io PolicyReport per namespace')
    .option('--sizing', 'with --policy-report: add each workload\'s sidecar sizing recommendation (sizing.prometheus of the org config) as a result')
    .option('--prometheus-url <url>', 'with --sizing: Prometheus base URL (default: sizing.prometheus.url of the org config)')
    .action(async (opts) => {
      const { runAudit } = await import('./audit.js');
      process.exitCode = await runAudit(opts);
    });
  program.command('recommend').description('per workload: current sidecar annotations, observed istio-proxy usage from Prometheus, the recommendation and the change')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-n, --namespace <ns>', 'only this namespace (and the namespace of objects without one with --files)')
    .option('--files <paths...>', 'read the workloads from manifest files or directories instead of the cluster')
    .option('--kubeconfig <file>', 'kubeconfig (default: in-cluster or $KUBECONFIG)')
    .option('--org-config <file>', 'organisation config merged over the defaults (its sizing: section)')
    .option('--prometheus-url <url>', 'Prometheus base URL (default: sizing.prometheus.url of the org config)')
    .option('--at <time>', 'evaluation time, RFC 3339 or Unix seconds (default: now)')
    .action(async (opts) => {
      const { runRecommend } = await import('./recommend.js');
      process.exitCode = await runRecommend(opts, { out: (t) => console.log(t), err: (t) => console.error(t) });
    });
  return program;
}

buildCli().parseAsync(process.argv).catch((err: unknown) => {
  const code = err instanceof MeshguardError ? `${err.code}: ` : '';
  console.error(`meshguard: ${code}${describeError(err)}`);
  process.exitCode = err instanceof MeshguardError && err.code === 'MG_ERR_INPUT_UNREADABLE' ? EXIT.UNREADABLE : 2;
});
