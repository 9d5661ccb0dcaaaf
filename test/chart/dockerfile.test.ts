import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SETTINGS } from '../../src/config.js';
import { CHART, ROOT } from './helm.js';

// There is no container engine on the build machines, so the Dockerfile is checked statically
// here: what it copies exists and is let through by .dockerignore, and it agrees with the chart.

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): Instruction[] {
  return text.replace(/\\\n/g, ' ').split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [op = '', ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

/** Whether a path is in the build context under an allowlist .dockerignore ("*", then "!dir/" entries, then excludes). */
function inContext(ignore: string[], file: string): boolean {
  let included = true;
  for (const pattern of ignore) {
    const negated = pattern.startsWith('!');
    const p = (negated ? pattern.slice(1) : pattern).replace(/\/$/, '');
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '(?:.*/)?')}(?:/.*)?$`);
    if (re.test(file)) included = negated;
  }
  return included;
}

describe('Dockerfile (static checks)', () => {
  const dockerfile = instructions(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const ignore = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args = new Map(dockerfile.filter((i) => i.op === 'ARG').map((i) => i.args.split('=') as [string, string]));
  const stages = dockerfile.filter((i) => i.op === 'FROM').map((i) => {
    const [image = '', , name] = i.args.split(/\s+/);
    return { image: image.replace(/^\$\{(\w+)\}$/, (_, a: string) => args.get(a) ?? a), name };
  });
  const runtime = dockerfile.slice(dockerfile.findLastIndex((i) => i.op === 'FROM'));

  it('builds with Go and node 24 (current LTS) and runs on node 24', () => {
    assert.deepEqual(stages, [
      { image: 'golang:1.26-bookworm', name: 'opa' },
      { image: 'node:24-bookworm-slim', name: 'build' },
      { image: 'node:24-bookworm-slim', name: 'runtime' },
    ]);
  });

  it('copies only sources that exist and that .dockerignore lets into the context', () => {
    const copies = dockerfile.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'));
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const sources = copy.args.split(/\s+/).slice(0, -1);
      for (const source of sources) {
        assert.ok(existsSync(path.join(ROOT, source)), `${source} exists`);
        assert.ok(inContext(ignore, source), `${source} is in the build context`);
      }
    }
    for (const [file, inside] of [['node_modules/fastify/package.json', false], ['dist/src/main.js', false], ['.tools/bin/opa', false],
      ['policies/main/x.wasm', false], ['src/main.ts', true], ['policies/lib/k8s.rego', true], ['test/chart/chart.test.ts', false]] as const) {
      assert.equal(inContext(ignore, file), inside, file);
    }
  });

  it('copies between stages only from stages it defines', () => {
    const names = new Set(stages.map((s) => s.name));
    for (const copy of dockerfile.filter((i) => i.op === 'COPY' && i.args.startsWith('--from'))) {
      assert.ok(names.has(/^--from=(\S+)/.exec(copy.args)?.[1]), copy.args);
    }
  });

  it('builds the policy bundle from source and keeps dev dependencies out of the runtime', () => {
    const run = dockerfile.filter((i) => i.op === 'RUN').map((i) => i.args).join(' ');
    assert.match(run, /bash scripts\/install-opa\.sh/);
    assert.match(run, /npm ci\b/);
    assert.match(run, /npm run build\b/);
    assert.match(run, /npm prune --omit=dev\b/);
    assert.deepEqual(runtime.filter((i) => i.op === 'COPY').map((i) => i.args.split(/\s+/).at(-1)),
      ['./package.json', './node_modules', './dist', './config', './crds', './policies']);
  });

  it('runs `meshguard serve` as the non-root user the chart expects, exposing the default ports', () => {
    const last = (op: string): string | undefined => runtime.filter((i) => i.op === op).at(-1)?.args;
    assert.equal(last('ENTRYPOINT'), '["node", "dist/bundle/meshguard.js"]');
    assert.match(readFileSync(path.join(ROOT, 'scripts', 'bundle.mjs'), 'utf8'), /meshguard: 'src\/cli\/index\.ts'/, 'the entrypoint is bundled from src/cli/index.ts');
    assert.equal(last('CMD'), '["serve"]');
    assert.equal(last('USER'), '65532:65532');
    const values = parseYaml(readFileSync(path.join(CHART, 'values.yaml'), 'utf8')) as { podSecurityContext: { runAsUser: number; runAsGroup: number } };
    assert.equal(`${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsGroup}`, last('USER'));
    const defaults = Object.fromEntries(SETTINGS.map((s) => [s.key, s.default]));
    assert.equal(last('EXPOSE'), `${defaults.port} ${defaults.probePort}`);
  });
});
