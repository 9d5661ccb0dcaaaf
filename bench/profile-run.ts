/**
 * `--profile`: runs meshguard under `node --cpu-prof` (start-up alone, then /validate and /mutate
 * under load) and summarises where the time goes. Each profile is its own process, written when
 * meshguard exits on SIGTERM.
 */
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { meshguardEndpoint, type Webhook } from './endpoints.js';
import { drive } from './load.js';
import type { Payload } from './payloads.js';
import type { Pinning } from './proc.js';
import { summarizeProfile, type ProfileSummary } from './profile-summary.js';
import { meshguardSpec, startServer } from './servers.js';

interface ProfileCase {
  name: string;
  logLevel: 'warn' | 'info';
  webhook?: Webhook;
}

const CASES: ProfileCase[] = [
  { name: 'startup' , logLevel: 'warn' },
  { name: 'validate-warn', logLevel: 'warn', webhook: 'validate' },
  { name: 'validate-info', logLevel: 'info', webhook: 'validate' },
  { name: 'mutate-warn', logLevel: 'warn', webhook: 'mutate' },
];

/** Profiles every case; `durationS` of load at 10 connections for the load cases. */
export async function runProfiles(o: {
  workDir: string; pinning: Pinning; payloads: Payload[]; durationS: number; log: (line: string) => void;
}): Promise<ProfileSummary[]> {
  const out: ProfileSummary[] = [];
  for (const c of CASES) {
    const dir = path.join(o.workDir, 'profiles', c.name);
    await mkdir(dir, { recursive: true });
    const first = o.payloads.find((p) => p.webhook === 'validate');
    const spec = meshguardSpec({
      logLevel: c.logLevel, workDir: o.workDir, readyBody: first?.body ?? '', label: `meshguard profile ${c.name}`,
      nodeFlags: ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', `${c.name}.cpuprofile`],
    });
    o.log(`profile: ${c.name}`);
    const server = await startServer(spec, o.pinning);
    try {
      if (c.webhook) await drive(meshguardEndpoint(server), c.webhook, o.payloads, { connections: 10, durationS: o.durationS, warmupS: 1 });
    } finally {
      await server.stop();
    }
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
    out.push(summarizeProfile(path.join(dir, file), 15, c.webhook !== undefined));
  }
  return out;
}
