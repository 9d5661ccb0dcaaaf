import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** Repository root (this file runs from dist/test/chart/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The chart under test. */
export const CHART = path.join(ROOT, 'charts', 'meshguard');

/** A rendered Kubernetes object, loosely typed: tests assert whole objects. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Outcome of one helm invocation. */
export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

let helmPath: Promise<string> | undefined;

/** The pinned helm binary, built once into .tools/bin by scripts/install-helm.sh. */
export function helm(): Promise<string> {
  helmPath ??= run('bash', [path.join(ROOT, 'scripts', 'install-helm.sh')], { maxBuffer: 16 * 1024 * 1024, timeout: 30 * 60_000 })
    .then(({ stdout }) => stdout.trim().split('\n').at(-1) ?? '');
  return helmPath;
}

/** Runs helm with arguments; never throws for a non-zero exit (the result carries the code). */
export async function runHelm(args: string[]): Promise<HelmResult> {
  const bin = await helm();
  try {
    const { stdout, stderr } = await run(bin, args, { maxBuffer: 32 * 1024 * 1024, timeout: 120_000, env: { ...process.env, HELM_CACHE_HOME: path.join(tmpdir(), 'meshguard-helm-cache') } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? e.message };
  }
}

/** Options of one `helm template` run. */
export interface RenderOptions {
  /** Values, written to a temporary JSON values file (-f). */
  values?: Record<string, unknown>;
  release?: string;
  namespace?: string;
  /** Extra helm arguments (e.g. --set, --show-only). */
  args?: string[];
}

/** `helm template` of the chart; `code` is non-zero when rendering or schema validation failed. */
export async function template(opts: RenderOptions = {}): Promise<HelmResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meshguard-chart-'));
  try {
    const args = ['template', opts.release ?? 'meshguard', CHART, '--namespace', opts.namespace ?? 'meshguard-system'];
    if (opts.values) {
      const file = path.join(dir, 'values.json');
      writeFileSync(file, JSON.stringify(opts.values));
      args.push('-f', file);
    }
    return await runHelm([...args, ...(opts.args ?? [])]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Renders the chart and parses every document; throws with helm's error when rendering fails. */
export async function render(opts: RenderOptions = {}): Promise<K8sObject[]> {
  const result = await template(opts);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}): ${result.stderr}`);
  return parseObjects(result.stdout);
}

/** Parses a multi-document YAML stream into objects, skipping empty documents. */
export function parseObjects(stream: string): K8sObject[] {
  return parseAllDocuments(stream).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject | null;
  }).filter((o): o is K8sObject => o !== null);
}

/** The single object of a kind (and name, when given); throws if there is not exactly one. */
export function one(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found[0] as K8sObject;
}

/** The objects of a kind. */
export function all(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}
