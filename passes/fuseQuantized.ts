// fuseQuantized: runs quantized models as int8 kernels. A float Conv/MatMul/Gemm whose operands
// are dequantized int8/uint8 codes and whose result (optionally through Relu or a Clip with
// constant bounds) is quantized again — the QDQ form onnxruntime's quantizer and PyTorch's
// fake-quant export produce —
//   DequantizeLinear(xq) ─┐
//   DequantizeLinear(wq) ─┼─ Conv/MatMul/Gemm ─[Relu|Clip]─ QuantizeLinear → yq
//   DequantizeLinear(bq) ─┘
// becomes one onnxc.QConvInt8 / onnxc.QMatMulInt8 node (ir/ops/qint8.ts) reading xq and the
// int8 weights directly: int32 accumulation, per-channel fixed-point requantization
// (ir/requant.ts), the activation folded into the output clamp. // Runs after inferShapes (which has folded the weights' DequantizeLinear to float constants, but
// left the nodes in place) and before foldConstants drops them. Anything it does not recognise
// (uint8 or asymmetric weights, per-tensor scales it cannot express, shared intermediate values)
// stays the float graph, which computes the same thing through dequantized floats.
// QLinearConv and QLinearMatMul with constant parameters map onto the same ops (qlinearToInt8.ts).
import { Model, Node, Value, consumers, constValue, newValue } from '../ir/graph.js';
import { quantizeMultiplier } from '../ir/requant.js';
import { TensorData, numel, tensorFrom, toNumbers } from '../ir/tensor.js';
import { qlinearToInt8 } from './qlinearToInt8.js';
import { QParams, activationClamp, int8Node, qparamsOf, weightInput, weightParams } from './quantParams.js';

/** The bias as int32 codes of scale xs·ws[m] (the DQ'd int32 itself when its scale is that), or null. */
function biasCodes(v: Value, xs: number, ws: number[], n: number): number[] | null {
  const p = v.producer?.op === 'DequantizeLinear' ? qparamsOf(v) : null;
  if (p?.q.const?.dtype === 'int32' && p.zp.every((z) => z === 0) && numel(p.q.const.shape) === n
    && Array.from({ length: n }, (_, m) => p.scale[p.scale.length === 1 ? 0 : m]).every((s, m) => Math.abs(s - xs * ws[m]) <= 1e-6 * s))
    return toNumbers(p.q.const);
  if (!v.const || numel(v.const.shape) !== n) return null;
  const b = toNumbers(v.const).map((x, m) => Math.round(x / (xs * ws[m])));
  return b.every((x) => Math.abs(x) < 2 ** 31) ? b : null;
}

interface Match { x: QParams; pre: Node | null; w: TensorData; ws: number[]; bias: number[] | null; end: Node; out: Value; y: QParams; lo: number; hi: number; drop: Node[] }

/** The quantized chain around a float product node, or null. wAxis: the output-channel axis of w. */
function match(n: Node, wIn: Value, wAxis: number, channels: number, biasIn: Value | null | undefined, uses: Map<Value, Node[]>, outputs: Set<Value>): Match | null {
  const xr = n.inputs[0] ? reshapedInput(n.inputs[0]) : null, x = xr?.x;
  if (!x || x.scale.length !== 1 || x.zp.length !== 1 || x.q.const || (x.q.type?.dtype !== 'int8' && x.q.type?.dtype !== 'uint8')) return null;
  const wp = weightParams(wIn, wAxis, channels);
  if (!wp) return null;
  const ws = wp.ws;
  // the chain after the product: [Relu | Clip] then QuantizeLinear, each the only reader
  let v = n.outputs[0]!;
  const drop: Node[] = [];
  const single = (val: Value) => (outputs.has(val) ? null : (uses.get(val) ?? []).length === 1 ? uses.get(val)![0] : null);
  let next = single(v), act: Node | null = null;
  if (next && (next.op === 'Relu' || next.op === 'Clip') && next.domain === '') { act = next; drop.push(next); v = next.outputs[0]!; next = single(v); }
  if (!next || next.op !== 'QuantizeLinear' || next.domain !== '') return null;
  const y = qparamsOf(next.outputs[0]!, next);
  if (!y || y.scale.length !== 1 || y.zp.length !== 1) return null;
  const yt = next.outputs[0]!.type?.dtype;
  if (yt !== 'int8' && yt !== 'uint8') return null;
  const clamp = activationClamp(act, y, yt);
  if (!clamp) return null;
  const bias = biasIn ? biasCodes(biasIn, x.scale[0], ws, channels) : null;
  if (biasIn && !bias) return null;
  drop.push(next);
  return { x, pre: xr.pre, w: wp.w, ws, bias, end: next, out: next.outputs[0]!, y, lo: clamp[0], hi: clamp[1], drop };
}

/**
 * The quantized tensor behind a product's input: DequantizeLinear(q), or a Flatten/Reshape of
 * one (per tensor, so the reshape commutes: `pre` is the same reshape of q, for the int8 node).
 */
function reshapedInput(v: Value): { x: QParams; pre: Node | null } | null {
  const r = v.producer;
  if (!r || r.domain !== '' || (r.op !== 'Flatten' && r.op !== 'Reshape')) {
    const x = qparamsOf(v);
    return x && { x, pre: null };
  }
  const x = r.inputs[0] && qparamsOf(r.inputs[0]);
  if (!x || x.scale.length !== 1 || !v.type || !x.q.type) return null;
  const out = newValue(`${v.name}.q`, { dtype: x.q.type.dtype, shape: v.type.shape });
  const pre: Node = { ...r, name: `${r.name}.q`, inputs: [x.q, ...r.inputs.slice(1)], outputs: [out], attrs: new Map(r.attrs) };
  out.producer = pre;
  return { x: { ...x, q: out }, pre };
}

/** mult and rshift per channel for xs·ws[m]/ys, or null where one is out of range. */
function multipliers(m: Match): [number[], number[]] | null {
  const q = m.ws.map((w) => quantizeMultiplier(m.x.scale[0] * w / m.y.scale[0]));
  if (q.some((v) => !v)) return null;
  return [q.map((v) => v!.mult), q.map((v) => v!.rshift)];
}

/** The int8 node for a match, or null when the requantization cannot be expressed. */
function rewrite(n: Node, op: 'QConvInt8' | 'QMatMulInt8', mt: Match, w: TensorData, attrs: Node['attrs']): Node | null {
  const mr = multipliers(mt);
  if (!mr) return null;
  const c = mr[0].length, i32 = (name: string, vals: number[]) => constValue(`${n.name}.${name}`, tensorFrom('int32', [c], vals));
  const wi = weightInput(n, op, w, attrs);
  return int8Node(n, op, [mt.x.q, wi.v, mt.bias ? i32('bias', mt.bias) : null, i32('mult', mr[0]), i32('rshift', mr[1])], mt.out, {
    x_zero_point: mt.x.zp[0], y_zero_point: mt.y.zp[0], y_type: mt.out.type!.dtype, lo: mt.lo, hi: mt.hi, ...wi.q,
  }, attrs);
}

/** [K, N] int8 weight of a Gemm/MatMul (transposed when transB), with its output-channel axis. */
function gemmWeight(n: Node): { v: Value; axis: number; trans: boolean } | null {
  const v = n.inputs[1];
  if (!v?.type || v.type.shape.length !== 2) return null;
  if (n.op === 'MatMul') return { v, axis: 1, trans: false };
  const a = (k: string, d: number) => (n.attrs.get(k)?.value as number | undefined) ?? d;
  if (a('alpha', 1) !== 1 || a('beta', 1) !== 1 || a('transA', 0)) return null;
  return { v, axis: a('transB', 0) ? 0 : 1, trans: !!a('transB', 0) };
}

function transpose(t: TensorData): TensorData {
  const [r, c] = t.shape, out = new Int8Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = Number(t.data[i * c + j]);
  return tensorFrom('int8', [c, r], Array.from(out));
}

export function fuseQuantized(m: Model): void {
  const g = m.graph, uses = consumers(g), outputs = new Set(g.outputs), removed = new Set<Node>();
  g.nodes = g.nodes.flatMap((n) => {
    if (n.domain !== '' || removed.has(n)) return [n];
    const ql = qlinearToInt8(n);
    if (ql) return [ql];
    let made: Node | null = null, mt: Match | null = null;
    if (n.op === 'Conv' && n.inputs[1]?.type) {
      const M = n.inputs[1].type.shape[0];
      if (typeof M !== 'number') return [n];
      mt = match(n, n.inputs[1], 0, M, n.inputs[2], uses, outputs);
      if (mt) made = rewrite(n, 'QConvInt8', mt, mt.w, n.attrs);
    } else if (n.op === 'MatMul' || n.op === 'Gemm') {
      const gw = gemmWeight(n), N = gw?.v.type!.shape[gw.axis];
      if (!gw || typeof N !== 'number') return [n];
      if (n.op === 'Gemm' && n.inputs[2]?.type && numel(n.inputs[2].type.shape.map(Number)) !== N) return [n];
      mt = match(n, gw.v, gw.axis, N, n.inputs[2], uses, outputs);
      if (mt) made = rewrite(n, 'QMatMulInt8', mt, gw.trans ? transpose(mt.w) : mt.w, new Map());
    }
    if (!made || !mt) return [n];
    for (const d of mt.drop) removed.add(d);
    return mt.pre ? [mt.pre, made] : [made];
  }).filter((n) => !removed.has(n));
}
