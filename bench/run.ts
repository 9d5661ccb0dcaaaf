/**
 * `npm run bench`: meshguard side by side with the floor (a bare Fastify HTTPS server) and OPA's
 * own server on the same Rego, each started alone on 127.0.0.1 and driven by autocannon after its
 * answers are checked; then cold start, in-process scale, and (with --profile) CPU profiles.
 *
 *   node dist/bench/run.js [--quick] [--json] [--markdown <file>] [--profile] [--no-pin]
 *                          [--skip-cold] [--skip-scale] [--skip-large] [--only-pool]
 *                          [--attempts <n>] [--wait-quiet <minutes>]
 *   node dist/bench/run.js --from .bench/<run>/results.json [--markdown <file>]   (re-render)
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selfSignedCertificate } from '../src/tls/certificates.js';
import { coldStart, type ColdStart } from './cold-start.js';
import { clusterScaleText, runClusterScale } from './cluster-scale.js';
import { measureLargeObjects, type LargeObjectTiming } from './large-objects.js';
import { floorEndpoint, meshguardEndpoint, opaDataEndpoint, opaRootEndpoint, type Endpoint } from './endpoints.js';
import { runLoadPhase, startChecked, waitQuiet, type Contender } from './load-phase.js';
import { buildOpaBundle, opaSpec, type OpaBundle } from './opa-server.js';
import { deniedPayload, mutatePayloads, repoRoot, validatePayloads, type Payload } from './payloads.js';
import { onlineCores, setUpPinning, type Pinning } from './proc.js';
import { formatProfile } from './profile-summary.js';
import { runProfiles } from './profile-run.js';
import { MG_EVENT_LOOP, formatReport, type BenchResults, type Machine } from './report.js';
import type { ScaleResult } from './scale.js';
import { floorSpec, meshguardSpec, stopAll, type ServerSpec } from './servers.js';
import { decisionParity, type Parity } from './verify.js';
import { formatServerless, serverlessBench } from './serverless.js';

interface Ctx {
  workDir: string;
  pinning: Pinning;
  certFiles: { cert: string; key: string };
  payloads: Payload[];
  readyBody: string;
  opa: OpaBundle;
  log: (line: string) => void;
}

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: repoRoot }).trim();
  } catch {
    return 'unknown';
  }
}

function machine(opaVersion: string, loadBefore: string): Machine {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']) ? ' (with uncommitted changes)' : '';
  return {
    nproc: onlineCores, cpuModel, memory: sh('free', ['-h']).split('\n').find((l) => l.startsWith('Mem:'))?.replace(/\s+/g, ' ') ?? 'unknown',
    node: process.version, opa: opaVersion, kernel: `${os.type()} ${os.release()}`, commit: `${sh('git', ['rev-parse', '--short', 'HEAD'])}${dirty}`,
    loadBefore, loadAfter: loadAverage(),
  };
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function runScaleChild(ctx: Ctx, quick: boolean): Promise<ScaleResult> {
  const args = ['--expose-gc', path.join(repoRoot, 'dist', 'bench', 'scale.js'), '--work', path.join(ctx.workDir, 'scale'), ...(quick ? ['--quick'] : [])];
  const [cmd, ...prefix] = ctx.pinning.enabled ? [...ctx.pinning.serverPrefix, process.execPath] : [process.execPath];
  await mkdir(path.join(ctx.workDir, 'scale'), { recursive: true });
  const child = spawn(cmd as string, [...prefix, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`scale.js exited with ${code}`);
  return JSON.parse(stdout) as ScaleResult;
}

/**
 * The servers of the load phase. With `onlyPool`: /validate at 10 connections on the floor, the
 * worker pool and the event loop only (the comparison of the pool with the previous design).
 */
function contenders(specs: Record<'floor' | 'mgWarn' | 'mgEventLoop' | 'mgInfo' | 'opa', ServerSpec>, onlyPool: boolean): Contender[] {
  const validateOnly = (e: Endpoint): Endpoint => ({ ...e, webhooks: ['validate'] });
  const pool: Contender[] = [
    { spec: specs.floor, endpointsOf: (s) => [onlyPool ? validateOnly(floorEndpoint(s)) : floorEndpoint(s)], ...(onlyPool ? { connections: [10] } : {}) },
    { spec: specs.mgWarn, endpointsOf: (s) => [onlyPool ? validateOnly(meshguardEndpoint(s)) : meshguardEndpoint(s)], ...(onlyPool ? { connections: [10] } : {}) },
    { spec: specs.mgEventLoop, endpointsOf: (s) => [validateOnly(meshguardEndpoint(s))], connections: [10] },
  ];
  if (onlyPool) return pool;
  return [...pool, { spec: specs.mgInfo, endpointsOf: (s) => [meshguardEndpoint(s)] }, { spec: specs.opa, endpointsOf: (s) => [opaDataEndpoint(s), opaRootEndpoint(s)] }];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, markdown: { type: 'string' },
      profile: { type: 'boolean', default: false }, 'no-pin': { type: 'boolean', default: false },
      'skip-cold': { type: 'boolean', default: false }, 'skip-scale': { type: 'boolean', default: false }, attempts: { type: 'string' },
      'skip-large': { type: 'boolean', default: false }, 'only-pool': { type: 'boolean', default: false },
      'wait-quiet': { type: 'string' }, from: { type: 'string' },
    },
  });
  if (values.from) {
    // Re-render a saved run (results.json) without measuring anything.
    const saved = JSON.parse(readFileSync(values.from, 'utf8')) as BenchResults;
    if (values.markdown) writeFileSync(values.markdown, `${formatReport(saved, true)}\n${clusterScaleText(saved, true)}`);
    console.log(values.json ? JSON.stringify(saved, null, 2) : `${formatReport(saved, false)}\n${clusterScaleText(saved, false)}`);
    return;
  }
  const quick = values.quick ?? false;
  const started = performance.now();
  const log = (line: string): void => void process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  const settings = quick
    ? { connections: [10], durationS: 3, firstWarmupS: 3, warmupS: 1, coldRuns: 2, attempts: 1 }
    : { connections: [1, 10, 50], durationS: 10, firstWarmupS: 8, warmupS: 2, coldRuns: 5, attempts: 2 };
  if (values.attempts) settings.attempts = Math.max(1, Number(values.attempts) || 1);
  const workDir = path.join(repoRoot, '.bench', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(workDir, { recursive: true });
  if (values['wait-quiet']) await waitQuiet(Number(values['wait-quiet']) || 0, log);
  const loadBefore = loadAverage();
  const pinning = setUpPinning(!values['no-pin']);
  log(`work dir ${workDir}; ${pinning.describe}; load average ${loadBefore}`);
  if (Number(loadBefore.split(' ')[0]) > onlineCores / 2) log(`warning: the machine is busy (load average ${loadBefore} on ${onlineCores} cores): results will be noisy`);

  const cert = await selfSignedCertificate();
  const certFiles = { cert: path.join(workDir, 'cert.pem'), key: path.join(workDir, 'key.pem') };
  writeFileSync(certFiles.cert, cert.cert);
  writeFileSync(certFiles.key, cert.key, { mode: 0o600 });
  log('building the OPA bundle from policies/ and bench/opa/admission.rego');
  const opa = await buildOpaBundle(workDir);
  const payloads = [...validatePayloads(), deniedPayload(), ...mutatePayloads()];
  const mix = payloads.filter((p) => p.allowed);
  const ctx: Ctx = { workDir, pinning, certFiles, payloads, readyBody: mix[0]?.body ?? '', opa, log };
  const specs = {
    mgWarn: meshguardSpec({ logLevel: 'warn', workDir, readyBody: ctx.readyBody }),
    mgInfo: meshguardSpec({ logLevel: 'info', workDir, readyBody: ctx.readyBody }),
    mgEventLoop: meshguardSpec({ logLevel: 'warn', workDir, readyBody: ctx.readyBody, label: MG_EVENT_LOOP, extraArgs: ['--evaluation-workers', '0'] }),
    floor: floorSpec({ certFiles, workDir, readyBody: ctx.readyBody }),
    opa: opaSpec({ built: opa, certFiles, workDir, readyBody: ctx.readyBody }),
  };

  const onlyPool = values['only-pool'] ?? false;
  let parity: Parity | undefined;
  if (!onlyPool) {
    log('checking that meshguard and OPA decide alike on the rule samples');
    const a = await startChecked(ctx, { spec: specs.mgWarn, endpointsOf: (s) => [meshguardEndpoint(s)] });
    const b = await startChecked(ctx, { spec: specs.opa, endpointsOf: (s) => [opaDataEndpoint(s), opaRootEndpoint(s)] });
    parity = await decisionParity(a.endpoints[0] as Endpoint, b.endpoints[1] as Endpoint);
    await Promise.all([a.server.stop(), b.server.stop()]);
  }

  // Load runs send only the allowed payloads (the denied one is checked above, not measured).
  const { load, output } = await runLoadPhase({ ...ctx, payloads: mix }, contenders(specs, onlyPool), settings);
  const info = output[specs.mgInfo.name];
  const infoLog = info ? { lines: info.lines, bytesPerAdmission: info.lines ? info.bytes / info.lines : 0 } : undefined;

  const cold: ColdStart[] = [];
  if (!values['skip-cold'] && !onlyPool) {
    const coldSpecs: ServerSpec[] = [
      meshguardSpec({ logLevel: 'warn', workDir, readyBody: ctx.readyBody, label: 'meshguard (generated cert)' }),
      meshguardSpec({ logLevel: 'warn', workDir, readyBody: ctx.readyBody, certFiles, label: 'meshguard (cert files)' }),
      meshguardSpec({ logLevel: 'warn', workDir, readyBody: ctx.readyBody, certFiles, label: 'meshguard (cert files, event loop)', extraArgs: ['--evaluation-workers', '0'] }),
      meshguardSpec({ logLevel: 'warn', workDir, readyBody: ctx.readyBody, certFiles, label: 'meshguard (cert files, unbundled)', modules: true }),
      specs.floor, specs.opa,
    ];
    for (const spec of coldSpecs) {
      log(`cold start: ${spec.name} x${settings.coldRuns}`);
      cold.push(await coldStart(spec, settings.coldRuns, pinning));
    }
  }
  // Serverless cold start (no snapshot, a 10,000-object snapshot) beside the floor's, and steady req/s.
  const serverless = !values['skip-cold'] && !onlyPool ? await serverlessBench({ workDir, runs: settings.coldRuns, durationS: settings.durationS, log }) : undefined;
  if (serverless) writeFileSync(path.join(workDir, 'serverless.json'), `${JSON.stringify(serverless, null, 2)}\n`);
  let largeObjects: LargeObjectTiming[] | undefined;
  if (!quick && !values['skip-large']) {
    largeObjects = await measureLargeObjects({ routes: [5000, 8000], workDir, pinning, readyBody: ctx.readyBody, log });
  }
  let scale: ScaleResult | undefined;
  if (!values['skip-scale'] && !onlyPool) {
    log('scale: in-process engine measurements (child process)');
    scale = await runScaleChild(ctx, quick);
  }
  const clusterScale = values['skip-scale'] || onlyPool ? undefined : await runClusterScale({ quick, pinning, log });
  const profiles = values.profile ? await runProfiles({ workDir, pinning, payloads: mix, durationS: settings.durationS, log }) : undefined;

  const results: BenchResults = {
    mode: quick ? 'quick' : 'full', startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
    durationS: (performance.now() - started) / 1000, machine: machine(opa.version, loadBefore), settings: { ...settings, pinning: pinning.describe },
    payloads: payloads.map((p) => ({ name: p.name, webhook: p.webhook, bytes: Buffer.byteLength(p.body) })),
    parity, load, infoLog, coldStart: cold, scale, profiles, largeObjects, clusterScale,
    // The pooled server's default: os.availableParallelism(), which follows its CPU pinning.
    poolWorkers: pinning.enabled ? 1 : onlineCores,
  };
  writeFileSync(path.join(workDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  if (values.markdown) writeFileSync(values.markdown, `${formatReport(results, true)}\n${clusterScaleText(results, true)}`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    const m = results.machine;
    console.log(`meshguard benchmark (${results.mode}), ${m.nproc} cores ${m.cpuModel}, node ${m.node}, opa ${m.opa}, commit ${m.commit}`);
    console.log(`load average before ${m.loadBefore}, after ${m.loadAfter}`);
    console.log(`${results.settings.pinning}; ${settings.durationS} s per run after a warm-up of ${settings.firstWarmupS} s (first run of a server and webhook) or ${settings.warmupS} s\n`);
    console.log(formatReport(results, false));
    process.stdout.write(clusterScaleText(results, false));
    for (const p of profiles ?? []) console.log(`\n${formatProfile(p)}`);
    if (serverless) console.log(`\n${formatServerless(serverless)}`);
  }
  log(`done in ${results.durationS.toFixed(0)} s; results in ${path.join(workDir, 'results.json')}`);
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
main().catch(async (err: unknown) => {
  console.error(`bench: ${(err as Error).message ?? String(err)}`);
  await stopAll();
  process.exit(1);
});
