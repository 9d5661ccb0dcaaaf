// Bundles the CLI/server and the evaluation worker into dist/bundle/ with esbuild: one module to
// load at start instead of hundreds. Subcommands and modules imported lazily (the kube client, the
// certificate generator) become chunks loaded only when used. The worker is one CommonJS file of its
// own, beside the module that starts it (src/policy/pool.ts prefers ./eval-worker.cjs next to
// itself): a worker that loads no ES module starts without the ES module loader, faster and smaller.
import { rm } from 'node:fs/promises';
import { build } from 'esbuild';

// Chunk names carry content hashes: without emptying the folder, every build would leave its old chunks behind.
await rm('dist/bundle', { recursive: true, force: true });

const common = { outdir: 'dist/bundle', bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };
await build({
  ...common,
  entryPoints: { meshguard: 'src/cli/index.ts' },
  splitting: true,
  format: 'esm',
  chunkNames: '[name]-[hash]',
  // CommonJS dependencies call require() for Node's own modules; an ES module has none of its own.
  banner: { js: "import { createRequire as __meshguardRequire } from 'node:module'; const require = __meshguardRequire(import.meta.url);" },
});
await build({ ...common, entryPoints: { 'eval-worker': 'src/policy/eval-worker.ts' }, format: 'cjs', outExtension: { '.js': '.cjs' } });
