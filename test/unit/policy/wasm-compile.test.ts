import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compilePolicyWasm } from '../../../src/policy/wasm-compile.js';

/** `(module (func (export "f") (result i32) <body>))` with the given body bytes (before `end`). */
function moduleWith(body: number[]): Uint8Array {
  const code = [0x00, ...body, 0x0b];
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0, 7, 5, 1, 1, 0x66, 0, 0, 10, code.length + 2, 1, code.length, ...code]);
}

describe('compilePolicyWasm', () => {
  it('compiles a valid module whose functions run when called', async () => {
    const module = await compilePolicyWasm(moduleWith([0x41, 42]));
    const instance = new WebAssembly.Instance(module);
    assert.equal((instance.exports.f as () => number)(), 42);
  });

  it('rejects a module with an invalid function body at compile time, not at its first call', async () => {
    // V8 words the stack error differently across Node versions; the function and offset are stable.
    await assert.rejects(compilePolicyWasm(moduleWith([0x6a])), (err: Error) => {
      assert.equal(err.name, 'CompileError');
      assert.match(err.message, /^WebAssembly\.compile\(\): Compiling function #0 failed: .*i32\.add.* @\+31$/);
      return true;
    });
  });
});
