// The WebAssembly global as Node provides it. TypeScript declares it only in lib.dom, which a
// server must not pull in; these are the parts meshguard uses.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, unknown>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  interface WebAssemblyInstantiatedSource {
    instance: Instance;
    module: Module;
  }
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
type BufferSource = ArrayBufferView | ArrayBuffer;
