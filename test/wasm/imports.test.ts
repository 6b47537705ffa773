// Every .wasm `onnxc compile --target wasm` writes is self-contained: no imports at all (in
// particular no function imports: the math library is generated into the module), and the
// only exports are `memory` and `run`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile, writeFiles } from '../../dist/src/api.js';
import { readTensorFile } from '../../dist/src/runners/index.js';

const ROOT = path.resolve(__dirname, '../..');
const NODE_TESTS = path.resolve(ROOT, '../shared/onnx-tests/node');
// float math (libm functions, SIMD lanes), float64, narrow floats, int64, a guarded input
const MODELS: [string, string[]][] = [ // [case, NAME=FILE inputs to specialize on]
  ['test_erf', []], ['test_pow', []], ['test_atan', []], ['test_mod_mixed_sign_float64', []], ['test_tanh', []],
  ['test_cast_FLOAT_to_FLOAT16', []], ['test_cast_FLOAT_to_FLOAT8E4M3FN', []], ['test_mod_mixed_sign_int64', []],
  ['test_matmul_2d', []], ['test_reshape_reordered_all_dims', ['shape=test_data_set_0/input_1.pb']],
];

describe.skipIf(!fs.existsSync(NODE_TESTS))('wasm modules are self-contained', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-wasm-imports-'));
  for (const [name, extra] of MODELS) {
    it(`${name}: no imports, exports memory and run`, () => {
      const dir = path.join(NODE_TESTS, name), dest = path.join(out, name);
      if (name === MODELS[0][0]) {
        // through the command line once; in process (faster) for the others
        execFileSync(process.execPath, [path.join(ROOT, 'bin/onnxc.js'), 'compile', path.join(dir, 'model.onnx'), '--target', 'wasm', '-o', dest], { stdio: 'pipe' });
      } else {
        const consts = Object.fromEntries(extra.map((a) => a.split('=')).map(([k, f]) => [k, readTensorFile(path.join(dir, f))]));
        writeFiles(dest, compileFile(path.join(dir, 'model.onnx'), { target: 'wasm', name: 'model', consts }).files);
      }
      const wasm = fs.readdirSync(dest).filter((f) => f.endsWith('.wasm'));
      expect(wasm.length).toBe(1);
      const mod = new WebAssembly.Module(fs.readFileSync(path.join(dest, wasm[0])));
      expect(WebAssembly.Module.imports(mod).filter((i) => i.kind === 'function')).toEqual([]);
      expect(WebAssembly.Module.imports(mod)).toEqual([]);
      expect(WebAssembly.Module.exports(mod).map((e) => `${e.kind}:${e.name}`).sort()).toEqual(['function:run', 'memory:memory']);
    }, 60_000);
  }
});
