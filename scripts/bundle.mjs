// Bundles the CLI/server and the evaluation worker into dist/bundle/ with esbuild: one module to
// load at start instead of hundreds. Subcommands and modules imported lazily (the kube client, the
// certificate generator) become chunks loaded only when used. The worker is its own entry, beside
// the module that starts it (src/policy/pool.ts resolves ./eval-worker.js next to itself).
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names carry content hashes: without emptying the folder, every build would leave its old chunks behind.
await rm('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { meshguard: 'src/cli/index.ts', 'eval-worker': 'src/policy/eval-worker.ts' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  chunkNames: '[name]-[hash]',
  // CommonJS dependencies call require() for Node's own modules; an ES module has none of its own.
  banner: { js: "import { createRequire as __meshguardRequire } from 'node:module'; const require = __meshguardRequire(import.meta.url);" },
  logLevel: 'warning',
});
