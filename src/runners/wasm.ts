// WebAssembly runner: writes NAME.wasm + NAME.js and runs the model in this process through
// the generated loader (so `onnxc test --target wasm` exercises the loader too).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CompileError } from '../../ir/errors.js';
import { DType } from '../../ir/dtype.js';
import { TensorData, TypedArray } from '../../ir/tensor.js';
import { CompileResult, writeFiles } from '../nodeCompile.js';
import type { Runner } from './index.js';
import { medianOf, seededInputs } from './seeded.js';

interface Loaded {
  run(inputs: (TypedArray | { data: TypedArray; shape: number[] })[]): Record<string, { dtype: DType; shape: number[]; data: TypedArray }>;
  profile?(): { label: string; ms: number }[];
  resetProfile?(): void;
}
/** shaped: the model has bounded input dims, so inputs go with their shapes ({ data, shape }). */
interface Handle { model: Loaded; outputs: string[]; shaped: boolean }

export function makeWasmRunner(readTensorFile: (f: string) => TensorData): Runner {
  return {
    async build(r: CompileResult, dir: string): Promise<Handle> {
      writeFiles(dir, r.files);
      const N = r.program.name;
      const loader = await import(pathToFileURL(path.join(dir, `${N}.js`)).href) as { load(src: Uint8Array): Promise<Loaded> };
      const model = await loader.load(fs.readFileSync(path.join(dir, `${N}.wasm`)));
      return { model, outputs: r.program.outputs.map((o) => o.name), shaped: !!r.program.inputDims };
    },
    async run(handle, inputs) {
      const h = handle as Handle;
      let outs;
      try {
        outs = h.model.run(inputs.map((f) => {
          const t = readTensorFile(f);
          return h.shaped ? { data: t.data, shape: t.shape } : t.data;
        }));
      } catch (e) {
        throw new CompileError(`compiled model failed: ${(e as Error).message}`);
      }
      return h.outputs.map((n) => outs[n]);
    },
    async bench(r, dir, iters, warmup) {
      const h = (await this.build(r, dir)) as Handle;
      const inputs = seededInputs(r.program).map((t) => t.data);
      for (let i = 0; i < warmup; i++) h.model.run(inputs);
      h.model.resetProfile?.();
      const times: number[] = [];
      for (let i = 0; i < iters; i++) {
        const t0 = performance.now();
        h.model.run(inputs);
        times.push(performance.now() - t0);
      }
      const profile = h.model.profile?.().map(({ label, ms }) => ({ label, ms: ms / iters }));
      return { median_ms: medianOf(times), min_ms: Math.min(...times), ...(profile ? { profile } : {}) };
    },
  };
}
