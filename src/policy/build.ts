import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ErrorCodes, MeshguardError } from '../errors.js';
import { ENTRYPOINT } from './entrypoint.js';
import { kindEntrypointModules } from './kind-entrypoints.js';
import type { RuleCatalog, RuleInfo } from './types.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** opa-wasm's own capabilities: compiling against them makes an unsupported builtin a build error. */
export const wasmCapabilitiesPath = path.join(path.dirname(path.dirname(require.resolve('@open-policy-agent/opa-wasm'))), 'capabilities.json');

/**
 * The SDK's capabilities list builtins and ABI versions but no language features; the compiler
 * needs `rego_v1` to parse Rego v1. The builtins stay exactly the SDK's.
 */
async function writeCapabilities(dir: string): Promise<string> {
  const caps = JSON.parse(await readFile(wasmCapabilitiesPath, 'utf8')) as Record<string, unknown>;
  caps.features = ['rego_v1'];
  const file = path.join(dir, 'capabilities.json');
  await writeFile(file, JSON.stringify(caps));
  return file;
}

/** Files the compiler must not read as policy or data: rule samples are YAML test inputs. */
const IGNORE = ['--ignore', 'samples', '--ignore', '*.md'];

export interface BuildOptions {
  opa: string;
  policyDir: string;
  output: string;
  /** Skip `opa test` (tests are run separately); fmt and check always run. */
  skipTests?: boolean;
  log?: (line: string) => void;
}

export interface BuildResult {
  output: string;
  catalog: RuleCatalog;
  testSummary: string;
}

/**
 * Builds a policy bundle: `opa fmt --fail`, `opa check --strict`, `opa test`, then
 * `opa build -t wasm` against opa-wasm's capabilities, with the rule catalog (from every rule's
 * METADATA) packed into the bundle as `data.meshguard.catalog`, and one entrypoint per admitted
 * kind besides the full one (see kind-entrypoints.ts).
 */
export async function buildPolicyBundle(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? (() => {});
  const dir = path.resolve(opts.policyDir);
  const badFormats = await findWasmUnsafeFormats(dir);
  if (badFormats.length > 0) {
    throw new MeshguardError(ErrorCodes.POLICY_BUILD, `sprintf verbs other than %s and %d behave differently in opa-wasm (its sprintf is sprintf-js, not Go's):\n${badFormats.join('\n')}`);
  }
  await step(opts.opa, ['fmt', '--list', '--fail', dir], 'opa fmt (files need `opa fmt -w`)');
  log('opa fmt: ok');
  await step(opts.opa, ['check', '--strict', ...IGNORE, dir], 'opa check --strict');
  log('opa check --strict: ok');
  let testSummary = 'skipped';
  if (!opts.skipTests) {
    testSummary = (await step(opts.opa, ['test', '--timeout', '120s', ...IGNORE, dir], 'opa test')).trim();
    log(`opa test: ${testSummary.split('\n').pop()}`);
  }
  const catalog = await extractCatalog(opts.opa, dir);
  const work = await mkdtemp(path.join(os.tmpdir(), 'meshguard-build-'));
  const staging = path.join(work, 'data');
  try {
    await mkdir(path.join(staging, 'meshguard', 'catalog'), { recursive: true });
    await writeFile(path.join(staging, 'meshguard', 'catalog', 'data.json'), JSON.stringify(catalog));
    const kinds = kindEntrypointModules(catalog);
    await mkdir(path.join(staging, 'kinds'));
    for (const m of kinds.modules) await writeFile(path.join(staging, 'kinds', m.file), m.rego);
    await mkdir(path.dirname(path.resolve(opts.output)), { recursive: true });
    const capabilities = await writeCapabilities(work);
    // testdata/ holds tables the Rego tests read (policies/lib/testdata): not part of the bundle.
    await step(
      opts.opa,
      ['build', '-t', 'wasm', '-e', ENTRYPOINT, ...kinds.entrypoints.flatMap((e) => ['-e', e]), '--capabilities', capabilities, ...IGNORE,
        '--ignore', '*_test.rego', '--ignore', 'testdata', '-o', path.resolve(opts.output), dir, staging],
      'opa build -t wasm',
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`opa build -t wasm: ${Object.keys(catalog).length} rules -> ${opts.output}`);
  return { output: opts.output, catalog, testSummary };
}

/**
 * opa-wasm evaluates sprintf with sprintf-js: `%q` fails at run time and `%v` prints collections
 * differently from `opa test`. Only `%s` and `%d` mean the same in both, so anything else in a
 * policy (not test) file fails the build with its file and line.
 */
export async function findWasmUnsafeFormats(dir: string): Promise<string[]> {
  const files = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.rego') && !e.name.endsWith('_test.rego'))
    .map((e) => path.join(e.parentPath, e.name));
  const found: string[] = [];
  for (const file of files.sort()) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(/sprintf\(\s*"((?:[^"\\]|\\.)*)"/g)) {
        const verbs = [...(m[1] ?? '').matchAll(/%[-+# 0-9.]*([a-zA-Z%])/g)].map((v) => v[1]).filter((v) => v !== 's' && v !== 'd' && v !== '%');
        if (verbs.length > 0) found.push(`${path.relative(dir, file)}:${i + 1}: %${verbs.join(', %')}`);
      }
    });
  }
  return found;
}

async function step(opa: string, args: string[], what: string): Promise<string> {
  try {
    const { stdout } = await run(opa, args, { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const detail = [e.stdout, e.stderr].filter(Boolean).join('\n').trim() || e.message;
    throw new MeshguardError(ErrorCodes.POLICY_BUILD, `${what} failed:\n${detail}`);
  }
}

interface InspectAnnotation {
  path?: Array<{ value?: string }>;
  annotations?: { scope?: string; title?: string; description?: string; custom?: Record<string, unknown> };
}

/**
 * Reads every rule package's METADATA (custom.id, severity, fix, ...) with `opa inspect -a`. A rule
 * without `custom.fix` fails the build: every finding must say how to fix it.
 */
export async function extractCatalog(opa: string, dir: string): Promise<RuleCatalog> {
  const out = await step(opa, ['inspect', '-a', '--format', 'json', dir], 'opa inspect');
  const parsed = JSON.parse(out) as { annotations?: InspectAnnotation[] };
  const catalog: RuleCatalog = {};
  for (const entry of parsed.annotations ?? []) {
    const custom = entry.annotations?.custom;
    if (entry.annotations?.scope !== 'package' || !custom || typeof custom.id !== 'string') continue;
    const pkg = (entry.path ?? []).map((p) => p.value).filter(Boolean).join('.');
    if (catalog[custom.id]) throw new MeshguardError(ErrorCodes.POLICY_BUILD, `rule id ${custom.id} is declared twice (${pkg})`);
    const info: RuleInfo = {
      id: custom.id,
      title: entry.annotations.title ?? custom.id,
      severity: typeof custom.severity === 'string' ? custom.severity : 'medium',
      enforcement: typeof custom.enforcement === 'string' ? custom.enforcement : 'deny',
      package: pkg,
    };
    if (typeof custom.fix !== 'string' || custom.fix.trim() === '') {
      throw new MeshguardError(ErrorCodes.POLICY_BUILD, `rule ${custom.id} (${pkg}) has no METADATA custom.fix: one imperative sentence saying how to fix a violation`);
    }
    info.fix = custom.fix.trim();
    if (typeof custom.why === 'string') info.why = custom.why.trim();
    if (typeof entry.annotations.description === 'string') info.description = entry.annotations.description.trim();
    if (typeof custom.istioCode === 'string') info.istioCode = custom.istioCode;
    if (Array.isArray(custom.kinds)) info.kinds = custom.kinds.map(String);
    if (Array.isArray(custom.meshConfig)) info.meshConfig = custom.meshConfig.map(String);
    if (Array.isArray(custom.operations)) info.operations = custom.operations.map(String);
    if (typeof custom.api === 'string') info.api = custom.api;
    catalog[custom.id] = info;
  }
  return catalog;
}
