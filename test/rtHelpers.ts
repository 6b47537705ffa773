// Helpers of the run-time-dim tests: a model from ModelBuilder calls, one compiled run on C or
// WASM, onnxruntime-node's outputs, and the two compared (shapes first, then values).
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { getRunner } from '../dist/src/runners/index.js';
import { compareTensors } from '../dist/src/testing/compare.js';
import { TensorData, tensorFrom } from '../dist/ir/tensor.js';

export type B = InstanceType<typeof ModelBuilder>;
export const range = (n: number, f = (i: number) => i) => Array.from({ length: n }, (_, i) => f(i));

/** Writes the model built by `build` into dir; returns its path. */
export function model(dir: string, build: (b: B) => void, opset = 17): string {
  const b = new ModelBuilder(opset);
  build(b);
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, b.encode());
  return file;
}

export async function onnxc(file: string, target: 'c' | 'wasm', inputs: [string, TensorData][], dir: string): Promise<TensorData[]> {
  const res = compileFile(file, { target, name: 'rt', verify: true }), runner = getRunner(target, res.cpu);
  const handle = await runner.build(res, path.join(dir, target));
  const files = inputs.map(([n, t]) => {
    const f = path.join(dir, `${target}_${n}.pb`);
    fs.writeFileSync(f, encodeTensor(t, n));
    return f;
  });
  return runner.run(handle, files, path.join(dir, `${target}_out`), res.program.outputs.length);
}

export async function onnxruntime(file: string, inputs: [string, TensorData][], outputs: string[]): Promise<TensorData[]> {
  const s = await ort.InferenceSession.create(file, { intraOpNumThreads: 1, logSeverityLevel: 3 });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [n, t] of inputs) feeds[n] = new ort.Tensor(t.dtype as never, (t.dtype === 'bool' ? Uint8Array.from(t.data as Uint8Array) : t.data) as never, t.shape);
  const r = await s.run(feeds);
  return outputs.map((n) => {
    const t = r[n];
    const vals = Array.from(t.data as ArrayLike<number | bigint>);
    return tensorFrom(t.type as never, [...t.dims], vals);
  });
}

/** C and WASM against onnxruntime: same shapes, values within the ONNX tolerance. */
export async function agree(file: string, inputs: [string, TensorData][], outputs: string[]): Promise<TensorData[]> {
  const dir = path.dirname(file), ref = await onnxruntime(file, inputs, outputs);
  for (const target of ['c', 'wasm'] as const) {
    const got = await onnxc(file, target, inputs, dir);
    got.forEach((t, i) => {
      expect(t.shape, `${target} ${outputs[i]}`).toEqual(ref[i].shape);
      expect(compareTensors(t, ref[i]), `${target} ${outputs[i]}`).toBeNull();
    });
  }
  return ref;
}

