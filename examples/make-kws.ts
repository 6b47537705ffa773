// Builds the int8 test model: a small keyword-spotting DS-CNN (MFCC [1, 1, 49, 10] in, 12
// classes out) with seeded weights, as a float model and as the QDQ model onnxruntime's quantizer
// would make of it: int8 activations with zero points (per tensor, ranges calibrated on seeded
// inputs with onnxc's reference evaluator), int8 symmetric weights with one scale per output
// channel (axis 0), int32 biases of scale x_scale·w_scale, QuantizeLinear/DequantizeLinear pairs
// around each Conv, Gemm and the pool.
//   Conv 10x4/2 → Relu → [depthwise 3x3 → Relu → pointwise 1x1 → Relu] ×2 → GlobalAveragePool → Gemm → Softmax
// Outputs: `logits` (dequantized in the QDQ model) and `probs`. With --dscnn DIR, the same
// with MLPerf Tiny's DS-CNN shapes (64 channels, four blocks) for the firmware benchmark.
// Run: npm run build && node dist/examples/make-kws.js   (writes examples/kws_float.onnx, kws_int8.onnx)
import fs from 'node:fs';
import path from 'node:path';
import { ModelBuilder, seededRandom } from '../src/onnx/build.js';
import { importModel } from '../src/onnx/importModel.js';
import { evaluateModel } from '../codegen/js/evaluateModel.js';
import { registerAllOps } from '../ir/ops/index.js';
import { TensorData, tensorFrom, toNumbers } from '../ir/tensor.js';

export const KWS_INPUT = [1, 1, 49, 10];
const CLASSES = 12;

/** The architecture: channels of every layer, depthwise/pointwise blocks, the model names. */
export interface KwsSpec { channels: number; blocks: number; float: string; int8: string }
/** The test model (examples/kws_*.onnx). */
export const KWS_SMALL: KwsSpec = { channels: 32, blocks: 2, float: 'kws_float', int8: 'kws_int8' };
/** The layer shapes of MLPerf Tiny's keyword spotter (ARM's DS-CNN: 64 channels, four blocks),
 * with seeded weights: the architecture the benchmark's published figures are for. */
export const KWS_DSCNN: KwsSpec = { channels: 64, blocks: 4, float: 'dscnn_float', int8: 'dscnn_int8' };

interface Layer { name: string; w: number[]; shape: number[]; b: number[]; attrs: Record<string, number[] | number> }

function layers({ channels: C, blocks }: KwsSpec): Layer[] {
  const rnd = seededRandom(7);
  const mk = (name: string, shape: number[], fanIn: number, attrs: Layer['attrs']): Layer => {
    const n = shape.reduce((a, b) => a * b, 1), s = Math.sqrt(6 / fanIn);
    return { name, shape, attrs, w: Array.from({ length: n }, () => (rnd() * 2 - 1) * s), b: Array.from({ length: shape[0] }, () => (rnd() * 2 - 1) * 0.1) };
  };
  const dw = (k: number) => mk(`dw${k}`, [C, 1, 3, 3], 9, { kernel_shape: [3, 3], pads: [1, 1, 1, 1], group: C });
  const pw = (k: number) => mk(`pw${k}`, [C, C, 1, 1], C, { kernel_shape: [1, 1] });
  return [
    mk('conv1', [C, 1, 10, 4], 40, { kernel_shape: [10, 4], strides: [2, 2], pads: [4, 1, 5, 2] }),
    ...Array.from({ length: blocks }, (_, k) => [dw(k + 1), pw(k + 1)]).flat(),
    mk('fc', [CLASSES, C], C, {}),
  ];
}

/** Per-tensor int8 quantization of a range (extended to 0): scale and zero point. */
function actQuant(lo: number, hi: number): [number, number] {
  lo = Math.min(lo, 0); hi = Math.max(hi, 0);
  const s = Math.fround((hi - lo) / 255 || 1);
  return [s, Math.max(-128, Math.min(127, Math.round(-128 - lo / s)))];
}

/** One scale per output channel, symmetric int8. */
function weightQuant(l: Layer): { q: number[]; s: number[] } {
  const per = l.w.length / l.shape[0], s: number[] = [], q: number[] = [];
  for (let m = 0; m < l.shape[0]; m++) {
    const row = l.w.slice(m * per, (m + 1) * per);
    const sc = Math.fround(Math.max(...row.map(Math.abs)) / 127 || 1);
    s.push(sc);
    for (const v of row) q.push(Math.max(-127, Math.min(127, Math.round(v / sc))));
  }
  return { q, s };
}

/** Activation names whose ranges calibration measures, in order. */
const acts = (ls: Layer[]) => ['in', ...ls.slice(0, -1).map((l) => l.name), 'gap', 'fc'];

/** The model; with `quant` (scale, zero point per ACTS name) the QDQ form; `probe` adds every activation as an output. */
function build(spec: KwsSpec, ls: Layer[], quant?: Map<string, [number, number]>, probe = false): Uint8Array {
  const b = new ModelBuilder(17, quant ? spec.int8 : spec.float);
  const f32 = (shape: number[], v: number[]) => tensorFrom('float32', shape, v);
  // x → Q → DQ in the QDQ model (the activation called `name`), x itself in the float one
  const qdq = (x: string, name: string): string => {
    if (probe) b.output(x, 'float32', []);
    if (!quant) return x;
    const [s, z] = quant.get(name)!;
    const sc = b.initializer(`${name}.scale`, f32([], [s])), zp = b.initializer(`${name}.zp`, tensorFrom('int8', [], [z]));
    const [q] = b.node('QuantizeLinear', [x, sc, zp], {}, { name: `${name}.q`, outputs: [`${name}.q`] });
    return b.node('DequantizeLinear', [q, sc, zp], {}, { name: `${name}.dq`, outputs: [`${name}.dq`] })[0];
  };
  const param = (l: Layer, xName: string): [string, string] => {
    if (!quant) return [b.initializer(`${l.name}.weight`, f32(l.shape, l.w)), b.initializer(`${l.name}.bias`, f32([l.shape[0]], l.b))];
    const { q, s } = weightQuant(l), xs = quant.get(xName)![0];
    const ws = b.initializer(`${l.name}.weight.scale`, f32([l.shape[0]], s));
    const wzp = b.initializer(`${l.name}.weight.zp`, tensorFrom('int8', [l.shape[0]], s.map(() => 0)));
    const [w] = b.node('DequantizeLinear', [b.initializer(`${l.name}.weight.q`, tensorFrom('int8', l.shape, q)), ws, wzp], { axis: 0 }, { name: `${l.name}.weight.dq` });
    const bs = s.map((v) => Math.fround(xs * v));
    const bq = l.b.map((v, m) => Math.round(v / bs[m]));
    const [bias] = b.node('DequantizeLinear', [b.initializer(`${l.name}.bias.q`, tensorFrom('int32', [l.shape[0]], bq)),
      b.initializer(`${l.name}.bias.scale`, f32([l.shape[0]], bs)), b.initializer(`${l.name}.bias.zp`, tensorFrom('int32', [l.shape[0]], bq.map(() => 0)))], { axis: 0 }, { name: `${l.name}.bias.dq` });
    return [w, bias];
  };
  let x = qdq(b.input('mfcc', 'float32', KWS_INPUT), 'in'), xName = 'in';
  for (const l of ls.slice(0, -1)) {
    const [w, bias] = param(l, xName);
    const [y] = b.node('Conv', [x, w, bias], l.attrs, { name: l.name });
    x = qdq(b.node('Relu', [y], {}, { name: `${l.name}.relu` })[0], l.name);
    xName = l.name;
  }
  x = qdq(b.node('GlobalAveragePool', [x], {}, { name: 'gap' })[0], 'gap');
  const [flat] = b.node('Flatten', [x], { axis: 1 }, { name: 'flatten' });
  const fc = ls[ls.length - 1], [w, bias] = param(fc, 'gap');
  const [logits] = b.node('Gemm', [flat, w, bias], { transB: 1 }, { name: 'fc' });
  const out = qdq(logits, 'fc');
  b.node('Identity', [out], {}, { name: 'logits', outputs: ['logits'] });
  b.node('Softmax', [out], { axis: 1 }, { name: 'softmax', outputs: ['probs'] });
  b.output('logits', 'float32', [1, CLASSES]);
  b.output('probs', 'float32', [1, CLASSES]);
  return b.encode();
}

/** Seeded calibration / test inputs: MFCC-like values, roughly in [-3, 3]. */
export function kwsInput(seed: number): TensorData {
  const rnd = seededRandom(seed), n = KWS_INPUT.reduce((a, b) => a * b, 1);
  return tensorFrom('float32', KWS_INPUT, Array.from({ length: n }, () => (rnd() + rnd() + rnd() - 1.5) * 2));
}

/** The float and QDQ models (bytes), the latter calibrated on 8 seeded inputs. */
export function buildKwsModels(spec: KwsSpec = KWS_SMALL): { float: Uint8Array; qdq: Uint8Array } {
  registerAllOps();
  const ls = layers(spec), ACTS = acts(ls);
  const probe = importModel(build(spec, ls, undefined, true), 'kws_probe.onnx');
  const outs = probe.graph.outputs.map((v) => v.name);
  const lo = new Map<string, number>(), hi = new Map<string, number>();
  for (let k = 0; k < 8; k++) {
    const m = importModel(build(spec, ls, undefined, true), 'kws_probe.onnx');
    evaluateModel(m, [kwsInput(100 + k)]).forEach((t, i) => {
      const name = ACTS[i];
      if (!name) return;
      const v = toNumbers(t);
      lo.set(name, Math.min(lo.get(name) ?? 0, ...v));
      hi.set(name, Math.max(hi.get(name) ?? 0, ...v));
    });
  }
  if (outs.length !== ACTS.length + 2) throw new Error(`calibration probes ${outs.length} outputs, expected ${ACTS.length + 2}`);
  const quant = new Map(ACTS.map((a) => [a, actQuant(lo.get(a)!, hi.get(a)!)] as [string, [number, number]]));
  return { float: build(spec, ls), qdq: build(spec, ls, quant) };
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  // `--dscnn DIR`: the MLPerf Tiny-shaped DS-CNN into DIR (not committed); else the test model
  const at = process.argv.indexOf('--dscnn'), spec = at >= 0 ? KWS_DSCNN : KWS_SMALL;
  const dir = at >= 0 ? path.resolve(process.argv[at + 1] ?? '.') : new URL('../../examples/', import.meta.url).pathname;
  const { float, qdq } = buildKwsModels(spec);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${spec.float}.onnx`), float);
  fs.writeFileSync(path.join(dir, `${spec.int8}.onnx`), qdq);
  console.log(`wrote ${path.join(dir, spec.float)}.onnx and ${spec.int8}.onnx`);
}
