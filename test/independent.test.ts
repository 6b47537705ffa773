// Independent check of the conformance results: for a deterministic sample of the cases the
// expected lists say pass, run the compiled model through the CLI (`onnxc run`) and ONNX
// Runtime on the same inputs, and compare with a comparator written separately from
// src/testing/compare.ts. Cases ORT cannot run are counted and printed with the reason;
// the test fails when too few were compared or ORT fails for a reason not listed.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, readExpected } from '../dist/src/testing/conformance.js';
import { parseTensor } from '../dist/src/onnx/tensorProto.js';
import { loadModel } from '../dist/src/onnx/loadModel.js';
import { cliAsync, pool, tmpDir } from './helpers.js';

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

/**
 * Why ONNX Runtime may not run a case, by its error message: each pattern is a counted, printed
 * skip. Any other ORT error fails the test.
 */
const ORT_LIMITS: [RegExp, string][] = [
  [/Unsupported data type|Tensor\.type is not supported/, 'element type ORT lacks (float8, int2, int4, e8m0)'],
  [/only \*guarantees\* support for models stamped with/, 'opset newer than this ORT release'],
  [/is not a registered function\/op|Could not find an implementation/, 'op or domain ORT does not implement'],
];

/**
 * Cases where ONNX Runtime is known to differ from the ONNX reference outputs (which onnxc
 * matches: they are on its expected lists), with the reason; printed as explained skips.
 */
const ORT_DIFFERS: Record<string, string> = {
  'node/test_attention_4d_with_past_and_present_qk_matmul_bias_3d_mask_causal':
    'ORT 1.30 fills causally masked attention scores (qk_matmul_output) with the lowest float, the ONNX reference with -inf',
};

/** Every `every`-th node/ case of the expected-pass list; ONNXC_INDEPENDENT_EVERY overrides (larger = fewer). */
function sample(target: string): string[] {
  const every = Number(process.env.ONNXC_INDEPENDENT_EVERY ?? 15);
  return readExpected(target as never).filter((id) => id.startsWith('node/')).filter((_, i) => i % every === 0);
}

/** Share of the sampled cases that must be compared; the rest are explained skips (about 20% today). */
const MIN_COMPARED = 0.6;

const haveData = fs.existsSync(SHARED_TESTS);
if (!haveData) console.warn(`independent check: skipped — ONNX test data not found at ${SHARED_TESTS}`);
describe.skipIf(!haveData).each(['c', 'wasm'])('onnxc vs ONNX Runtime on sampled passing cases, --target %s', (target) => {
  it('agree on every sampled case, and compare enough of them', async () => {
    const ids = sample(target);
    let compared = 0;
    const disagreements: string[] = [];
    const skips = new Map<string, string[]>();
    const skip = (why: string, id: string) => skips.set(why, [...(skips.get(why) ?? []), id]);
    // ONNX Runtime's outputs first, one case at a time (it is fast); then onnxc run on the
    // compared cases, a compilation per CPU at once
    const runs: { id: string; dir: string; set: string; inputs: string[]; names: string[]; ortOut: ort.InferenceSession.OnnxValueMapType }[] = [];
    for (const id of ids) {
      const dir = path.join(SHARED_TESTS, id);
      const set = path.join(dir, 'test_data_set_0');
      const inputs = fs.readdirSync(set).filter((f) => f.startsWith('input_')).sort((x, y) => parseInt(x.slice(6)) - parseInt(y.slice(6)));
      // sequences and optionals (SequenceProto, OptionalProto files) are not fed to ORT here; the
      // conformance runner compares them element by element with the ONNX reference outputs
      const structured = fs.readdirSync(set).some((f) => { try { parseTensor(fs.readFileSync(path.join(set, f))); return false; } catch { return true; } });
      if (structured) { skip('sequence or optional values (compared by the conformance runner)', id); continue; }
      const tensors = inputs.map((f) => parseTensor(fs.readFileSync(path.join(set, f))));
      const odd = tensors.find((t) => !ORT_TYPES[t.dtype]);
      if (odd) { skip(`input type ${odd.dtype} not fed to ORT here`, id); continue; }
      if (nondeterministic(path.join(dir, 'model.onnx'))) { skip('random op: generators differ', id); continue; }
      if (ORT_DIFFERS[id]) { skip(ORT_DIFFERS[id], id); continue; }
      try {
        const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'), { intraOpNumThreads: 1, logSeverityLevel: 4 });
        const feeds: Record<string, ort.Tensor> = {};
        session.inputNames.forEach((n, i) => {
          const t = tensors[i];
          const data = t.dtype === 'bool' ? Uint8Array.from(t.data as Uint8Array) : t.data;
          feeds[n] = new ort.Tensor(ORT_TYPES[t.dtype] as never, data as never, t.shape);
        });
        runs.push({ id, dir, set, inputs, names: [...session.outputNames], ortOut: await session.run(feeds) });
      } catch (e) {
        const msg = String((e as Error).message ?? e);
        const known = ORT_LIMITS.find(([re]) => re.test(msg));
        if (known) skip(`ORT: ${known[1]}`, id);
        else disagreements.push(`${id}: ONNX Runtime failed: ${msg.split('\n')[0].slice(0, 300)}`);
      }
    }
    await pool(runs, async ({ id, dir, set, inputs, names, ortOut }) => {
      const out = tmpDir('onnxc-ind-');
      const r = await cliAsync(['run', path.join(dir, 'model.onnx'), '--target', target, ...inputs.flatMap((f) => ['--input', path.join(set, f)]), '--output-dir', out]);
      if (r.code !== 0) { disagreements.push(`${id}: onnxc run failed: ${r.stderr.trim()}`); return; }
      names.forEach((n, i) => {
        const mine = parseTensor(fs.readFileSync(path.join(out, `output_${i}.pb`)));
        const theirs = ortOut[n] as ort.Tensor;
        if (mine.shape.join() !== [...theirs.dims].join()) { disagreements.push(`${id} ${n}: shape [${mine.shape}] vs [${theirs.dims}]`); return; }
        const why = allClose(mine.data as never, theirs.data as never);
        if (why) disagreements.push(`${id} ${n}: ${why}`);
      });
      compared++;
      fs.rmSync(out, { recursive: true, force: true });
    });
    disagreements.sort();
    const skipped = [...skips].map(([why, xs]) => `  ${xs.length} skipped, ${why}: ${xs.join(', ')}`);
    console.log(`independent check (${target}, ORT ${ort.env.versions.node}): ${compared}/${ids.length} sampled cases compared\n${skipped.join('\n')}`);
    expect(disagreements).toEqual([]);
    expect(compared, `only ${compared} of ${ids.length} sampled cases were compared`).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(MIN_COMPARED * ids.length)));
  }, 20 * 60_000);
});
