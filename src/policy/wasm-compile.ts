import { setFlagsFromString } from 'node:v8';

let lazy = false;

/**
 * Compiles policy Wasm with V8's lazy compilation: the whole module is still validated here (an
 * invalid function body fails now, not at a request), but each function is compiled on its first
 * call, so start-up compiles only the functions evaluations use (on the built-in pack, compiling
 * and checking the module takes about 40% of the eager time), and hot functions are still tiered
 * up to optimised code. The flag is process-wide and read when a module is compiled.
 */
export function compilePolicyWasm(bytes: Uint8Array): Promise<WebAssembly.Module> {
  if (!lazy) {
    setFlagsFromString('--wasm-lazy-compilation');
    lazy = true;
  }
  return WebAssembly.compile(bytes);
}
