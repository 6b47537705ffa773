// Independent check of the conformance results: for a deterministic sample of the cases the
// expected lists say pass, run the compiled model through the CLI (`onnxc run`) and ONNX
// Runtime on the same inputs, and compare with a comparator written separately from
// src/testing/compare.ts.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, readExpected } from '../dist/src/testing/conformance.js';
import { parseTensor } from '../dist/src/onnx/tensorProto.js';
import { loadModel } from '../dist/src/onnx/importModel.js';
import { cli, tmpDir } from './helpers.js';

const ORT_TYPES: Record<string, string> = {
  float32: 'float32', float64: 'float64', int8: 'int8', uint8: 'uint8', int16: 'int16', uint16: 'uint16',
  int32: 'int32', uint32: 'uint32', int64: 'int64', uint64: 'uint64', bool: 'bool',
};

/**
 * |a-b| <= 1e-3·|b| + 1e-5·max(1, max|b|) elementwise (NaN == NaN): the absolute part scales
 * with the tensor's magnitude, since a float32 sum of large terms (a DFT bin) that should be 0
 * carries rounding error proportional to them in any implementation.
 */
function allClose(a: ArrayLike<number | bigint | boolean>, b: ArrayLike<number | bigint | boolean>): string | null {
  if (a.length !== b.length) return `length ${a.length} vs ${b.length}`;
  let scale = 1;
  for (let i = 0; i < b.length; i++) if (Number.isFinite(Number(b[i]))) scale = Math.max(scale, Math.abs(Number(b[i])));
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= 1e-3 * Math.abs(y) + 1e-5 * scale)) return `element ${i}: ${x} vs ${y}`;
  }
  return null;
}

/** Ops whose results depend on a random generator: ONNX Runtime's differs from the reference's. */
const RANDOM_OPS = new Set(['RandomUniform', 'RandomNormal', 'RandomUniformLike', 'RandomNormalLike', 'Bernoulli', 'Multinomial']);
function nondeterministic(file: string): boolean {
  return loadModel(file).graph.nodes.some((n) => RANDOM_OPS.has(n.op) || (n.op === 'Dropout' && n.inputs.length > 2 && n.inputs[2] !== null));
}

function sample(target: string, every: number): string[] {
  return readExpected(target as never).filter((id) => id.startsWith('node/')).filter((_, i) => i % every === 0);
}

const haveData = fs.existsSync(SHARED_TESTS);
describe.skipIf(!haveData).each(['c', 'wasm'])('onnxc vs ONNX Runtime on sampled passing cases, --target %s', (target) => {
  it('agree on every sampled case ORT can run', async () => {
    const ids = sample(target, 15);
    let compared = 0;
    const disagreements: string[] = [];
    for (const id of ids) {
      const dir = path.join(SHARED_TESTS, id);
      const set = path.join(dir, 'test_data_set_0');
      const inputs = fs.readdirSync(set).filter((f) => f.startsWith('input_')).sort((x, y) => parseInt(x.slice(6)) - parseInt(y.slice(6)));
      const tensors = inputs.map((f) => parseTensor(fs.readFileSync(path.join(set, f))));
      if (tensors.some((t) => !ORT_TYPES[t.dtype]) || nondeterministic(path.join(dir, 'model.onnx'))) continue;
      let session: ort.InferenceSession;
      let ortOut: ort.InferenceSession.OnnxValueMapType;
      try {
        session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { intraOpNumThreads: 1, logSeverityLevel: 4 });
        const feeds: Record<string, ort.Tensor> = {};
        session.inputNames.forEach((n, i) => {
          const t = tensors[i];
          const data = t.dtype === 'bool' ? Uint8Array.from(t.data as Uint8Array) : t.data;
          feeds[n] = new ort.Tensor(ORT_TYPES[t.dtype] as never, data as never, t.shape);
        });
        ortOut = await session.run(feeds);
      } catch {
        continue; // ORT does not implement this case
      }
      const out = tmpDir('onnxc-ind-');
      const r = cli(['run', path.join(dir, 'model.onnx'), '--target', target, ...inputs.flatMap((f) => ['--input', path.join(set, f)]), '--output-dir', out]);
      if (r.code !== 0) { disagreements.push(`${id}: onnxc run failed: ${r.stderr.trim()}`); continue; }
      session.outputNames.forEach((n, i) => {
        const mine = parseTensor(fs.readFileSync(path.join(out, `output_${i}.pb`)));
        const theirs = ortOut[n] as ort.Tensor;
        if (mine.shape.join() !== [...theirs.dims].join()) { disagreements.push(`${id} ${n}: shape [${mine.shape}] vs [${theirs.dims}]`); return; }
        const why = allClose(mine.data as never, theirs.data as never);
        if (why) disagreements.push(`${id} ${n}: ${why}`);
      });
      compared++;
      fs.rmSync(out, { recursive: true, force: true });
    }
    console.log(`independent check (${target}): ${compared} sampled cases compared with ONNX Runtime`);
    expect(disagreements).toEqual([]);
  }, 20 * 60_000);
});
