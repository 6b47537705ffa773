// Public API (Node), the package's entry: compile an ONNX model (file or bytes) to target code,
// every target available synchronously. The functions are src/nodeCompile.ts's; this module
// adds the WASM emitter (and with it Binaryen), which the CLI loads only for --target wasm.
import { emitWasm } from '../codegen/wasm/emitWasm.js';
import { useWasmEmitter } from './compile.js';

useWasmEmitter(emitWasm);

export * from './nodeCompile.js';
