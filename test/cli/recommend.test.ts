import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { cliPath, repoRoot } from '../support/paths.js';
import { startPrometheus, type TestPrometheus } from '../support/prometheus.js';
import { workloadManifests } from '../support/sized-pods.js';
import { END, trafficHistory } from '../support/traffic-history.js';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('meshguard recommend --files', { timeout: 10 * 60_000 }, () => {
  let prometheus: TestPrometheus;
  let dir: string;
  let args: string[];
  before(async () => {
    prometheus = await startPrometheus(trafficHistory());
    dir = await mkdtemp(path.join(os.tmpdir(), 'meshguard-recommend-'));
    await writeFile(path.join(dir, 'workloads.yaml'), workloadManifests().map((o) => stringify(o)).join('---\n'));
    await writeFile(path.join(dir, 'org.yaml'), 'sizing:\n  window: 12h\n  step: 5m\n  minHistory: 6h\n  staleAfter: 1h\n');
    args = ['recommend', '--files', path.join(dir, 'workloads.yaml'), '--org-config', path.join(dir, 'org.yaml'), '--prometheus-url', prometheus.url, '--at', new Date(END * 1000).toISOString()];
  });
  after(async () => {
    await prometheus?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints current annotations, observed usage, the recommendation and the change per workload', async () => {
    const r = await cli(args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${[
      'WORKLOAD                   SAMPLES  CPU(q)  MEM(peak)  RPS(q)  m/1kRPS  proxyCPU           proxyCPULimit        proxyMemory            proxyMemoryLimit       SOURCE',
      'shop/Deployment/cart       288      50m     60Mi       100     1000     50m -> 60m (+20%)  250m -> 300m (+20%)  64Mi -> 72Mi (+13%)    256Mi -> 256Mi (none)  prometheus',
      'shop/Deployment/search     144      800m    180Mi      400     2000     - -> 960m (new)    - -> 2 (new)         - -> 216Mi (new)       - -> 432Mi (new)       prometheus',
      'shop/StatefulSet/ledger    288      146m    150Mi      -       -        - -> 176m (new)    - -> 880m (new)      256Mi -> 256Mi (none)  - -> 512Mi (new)       prometheus',
      'shop/Deployment/payments   144      200m    200Mi      -       -        - -> 240m (new)    - -> 1200m (new)     - -> 240Mi (new)       - -> 480Mi (new)       prometheus',
      'shop/Deployment/fresh      36       30m     40Mi       -       -        - -> 50m (new)     - -> 250m (new)      - -> 64Mi (new)        - -> 256Mi (new)       static',
      'shop/DaemonSet/node-agent  108      20m     30Mi       -       -        - -> 50m (new)     - -> 250m (new)      - -> 64Mi (new)        - -> 256Mi (new)       static',
      '',
      'shop/Deployment/fresh: static sizing: insufficient-history: 3h of history (36 samples), 6h needed',
      'shop/DaemonSet/node-agent: static sizing: stale: no samples since 2025-12-31T21:00:00.000Z',
    ].join('\n')}\n`);
  });

  it('--output json --namespace: the same rows as data; a user-set value is kept (ledger memory)', async () => {
    const r = await cli([...args, '--output', 'json', '--namespace', 'shop']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    assert.equal(rows.length, 6);
    assert.deepEqual(rows[2], {
      workload: 'shop/StatefulSet/ledger',
      current: { memory: '256Mi' },
      observed: { pods: 2, samples: 288, cpu: '146m', memoryPeak: '150Mi', requestsPerSecond: null, cpuPerThousandRps: null },
      recommended: { cpu: '176m', cpuLimit: '880m', memory: '256Mi', memoryLimit: '512Mi' },
      change: { cpu: 'new', cpuLimit: 'new', memory: 'none', memoryLimit: 'new' },
      source: 'prometheus',
    });
    const other = await cli([...args, '--output', 'json', '--namespace', 'elsewhere']);
    assert.deepEqual([other.code, JSON.parse(other.stdout)], [0, []]);
  });

  it('Prometheus unreachable: exit 2 with one readable line, no stack', async () => {
    const closed = net.createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as net.AddressInfo;
    closed.close();
    await once(closed, 'close');
    const r = await cli([...args.slice(0, -4), '--prometheus-url', `http://127.0.0.1:${port}`, '--at', String(END)]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `meshguard recommend: MG_ERR_SIZING_PROMETHEUS: Prometheus at http://127.0.0.1:${port} is unreachable (fetch failed: connect ECONNREFUSED 127.0.0.1:${port})\n`);
  });
});
