/**
 * OPA's own server loaded with the same Rego as meshguard: the rules under policies/ (without
 * samples and tests), the same catalog and org config as data, and bench/opa/admission.rego to
 * turn violations into an AdmissionReview. Built as a regular (non-Wasm) bundle by the pinned opa.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadOrgConfig } from '../src/org-config.js';
import { extractCatalog } from '../src/policy/build.js';
import { readBundle } from '../src/policy/bundle.js';
import { resolveOpa } from '../src/policy/opa-binary.js';
import { BUILTIN_BUNDLE } from '../src/policy/service.js';
import { repoRoot } from './payloads.js';
import type { ServerSpec } from './servers.js';

const run = promisify(execFile);

/** Data path of the wrapper's AdmissionReview (package meshguard.bench.admission, rule review). */
export const OPA_DECISION = 'meshguard/bench/admission/review';

/** Where the wrapper answers: the v1 Data API (input wrapped) and the default decision at POST /. */
export const OPA_V1_PATH = `/v1/data/${OPA_DECISION}`;

/** A built OPA bundle and the opa binary that built it. */
export interface OpaBundle {
  opa: string;
  bundle: string;
  version: string;
}

/**
 * Builds the regular bundle: policies/ (ignoring samples, *.md and *_test.rego), data.meshguard
 * {catalog (from the rules' METADATA, as `meshguard policies build` makes it; meshguard's built
 * bundle must hold the same rules or the comparison would be unfair), config (the org config as meshguard loads it),
 * inventory ({}, as meshguard without a cluster view)} and the wrapper.
 */
export async function buildOpaBundle(workDir: string): Promise<OpaBundle> {
  const opa = await resolveOpa();
  const staging = path.join(workDir, 'opa-data');
  const policyDir = path.join(repoRoot, 'policies');
  const catalog = await extractCatalog(opa, policyDir);
  const served = Object.keys((await readBundle(BUILTIN_BUNDLE)).catalog).sort().join(',');
  if (served !== Object.keys(catalog).sort().join(',')) {
    throw new Error(`${BUILTIN_BUNDLE} does not hold the rules in ${policyDir}: it is stale, run npm run build:policies (npm run bench does)`);
  }
  const org = await loadOrgConfig();
  const data: Record<string, unknown> = { catalog, config: org.raw, inventory: {} };
  for (const [key, value] of Object.entries(data)) {
    await mkdir(path.join(staging, 'meshguard', key), { recursive: true });
    await writeFile(path.join(staging, 'meshguard', key, 'data.json'), JSON.stringify(value));
  }
  const bundle = path.join(workDir, 'opa-bundle.tar.gz');
  await run(opa, [
    'build', '-o', bundle, '--ignore', 'samples', '--ignore', '*.md', '--ignore', '*_test.rego',
    policyDir, staging, path.join(repoRoot, 'bench', 'opa'),
  ], { maxBuffer: 16 * 1024 * 1024 });
  const { stdout } = await run(opa, ['version']);
  const version = /^Version:\s*(\S+)/m.exec(stdout)?.[1] ?? 'unknown';
  return { opa, bundle, version };
}

/**
 * `opa run --server` on 127.0.0.1 with TLS, the bundle, errors-only logging and the wrapper as
 * the default decision (so POST / answers an AdmissionReview as kube-mgmt's webhook setup does).
 */
export function opaSpec(o: { built: OpaBundle; certFiles: { cert: string; key: string }; workDir: string; readyBody: string; logLevel?: 'error' | 'info' }): ServerSpec {
  const level = o.logLevel ?? 'error';
  return {
    name: `opa (${level})`, kind: 'opa', command: o.built.opa,
    args: (port) => [
      'run', '--server', '--addr', `127.0.0.1:${port}`, '--tls-cert-file', o.certFiles.cert, '--tls-private-key-file', o.certFiles.key,
      '--log-level', level, '--skip-version-check', '--set', `default_decision=${OPA_DECISION}`, '--bundle', o.built.bundle,
    ],
    stdoutFile: path.join(o.workDir, `opa-${level}.log`),
    stderrFile: path.join(o.workDir, `opa-${level}.stderr`),
    readyPath: '/', readyBody: o.readyBody,
  };
}
