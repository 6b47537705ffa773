// What passes/fuseQuantized.ts reads off QuantizeLinear/DequantizeLinear nodes: constant scales
// and zero points, int8 weights with their per-channel scales, the output clamp of a fused
// activation; and how it builds the int8 node.
import { Attr, Node, Value, constValue } from '../ir/graph.js';
import { packPairs } from '../ir/ops/qint8Dot.js';
import { TensorData, getNum, numel, toNumbers, zeros } from '../ir/tensor.js';

/** A quantized tensor q with constant scale and zero point (one value, or one per index of axis). */
export interface QParams { q: Value; scale: number[]; zp: number[]; axis: number }

/**
 * The parameters of a DequantizeLinear producing v (node absent), or of the QuantizeLinear
 * `node` (v its output); null unless scale and zero point are constants and not blocked.
 */
export function qparamsOf(v: Value, node: Node | null = v.producer): QParams | null {
  if (!node || node.domain !== '' || (node.op !== 'DequantizeLinear' && node.op !== 'QuantizeLinear')) return null;
  const [x, s, z] = node.inputs;
  const blocked = (node.attrs.get('block_size')?.value as number | undefined) ?? 0;
  if (!x || !s?.const || (z && !z.const) || blocked || !x.type) return null;
  const scale = toNumbers(s.const), zp = z?.const ? toNumbers(z.const) : [0];
  if (scale.length > 1 && s.const.shape.length !== 1) return null;
  if (zp.length !== 1 && zp.length !== scale.length) return null;
  const rank = x.type.shape.length, a = (node.attrs.get('axis')?.value as number | undefined) ?? 1;
  const q = node.op === 'DequantizeLinear' ? x : node.outputs[0]!;
  return { q, scale, zp, axis: a < 0 ? a + rank : a };
}

/** int8 weight codes behind DequantizeLinear output w, symmetric (zero points 0), with a scale per output channel. */
export function weightParams(w: Value, axis: number, channels: number): { w: TensorData; ws: number[] } | null {
  const p = qparamsOf(w);
  const t = p?.q.const;
  if (!p || !t || t.dtype !== 'int8' || p.zp.some((z) => z !== 0)) return null;
  if (p.scale.length !== 1 && (p.axis !== axis || p.scale.length !== channels)) return null;
  return { w: t, ws: Array.from({ length: channels }, (_, m) => p.scale[p.scale.length === 1 ? 0 : m]) };
}

/** Round half to even, as QuantizeLinear rounds. */
const rint = (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 ? r - 1 : r; };

/**
 * [lo, hi] output codes of QuantizeLinear y (of type yt) after an optional Relu or Clip:
 * quantizing clip(v, a, b) clamps the codes to [Q(a), Q(b)], rounding being monotonic.
 */
export function activationClamp(act: Node | null, y: QParams, yt: 'int8' | 'uint8'): [number, number] | null {
  let lo = yt === 'int8' ? -128 : 0, hi = yt === 'int8' ? 127 : 255;
  const code = (r: number) => rint(r / y.scale[0]) + y.zp[0];
  if (act?.op === 'Relu') lo = Math.max(lo, code(0));
  else if (act?.op === 'Clip') {
    const bound = (i: number, attr: string): number | null | undefined => {
      if (act.opset < 11) return act.attrs.get(attr)?.value as number | undefined;
      const v = act.inputs[i];
      if (!v) return undefined;
      return v.const && numel(v.const.shape) === 1 ? getNum(v.const, 0) : null;
    };
    const a = bound(1, 'min'), b = bound(2, 'max');
    if (a === null || b === null || Number.isNaN(a) || Number.isNaN(b)) return null;
    if (a !== undefined && a > -Infinity) lo = Math.max(lo, Math.min(hi, code(a)));
    if (b !== undefined && b < Infinity) hi = Math.min(hi, Math.max(lo, code(b)));
  }
  return [lo, hi];
}

/** The onnxc-domain node `op` replacing n, writing `out` (typed already). */
export function int8Node(n: Node, op: string, inputs: (Value | null)[], out: Value, q: Record<string, number | string | number[]>, keep: Map<string, Attr>): Node {
  const attrs = new Map<string, Attr>();
  for (const k of ['kernel_shape', 'pads', 'strides', 'dilations', 'auto_pad', 'group']) { const a = keep.get(k); if (a) attrs.set(k, a); }
  for (const [k, v] of Object.entries(q)) attrs.set(k, typeof v === 'number' ? { kind: 'int', value: v } : typeof v === 'string' ? { kind: 'string', value: v } : { kind: 'ints', value: v });
  const node: Node = { name: n.name, op, domain: 'onnxc', opset: 1, inputs, outputs: [out], attrs };
  out.producer = node;
  return node;
}

/**
 * The int8 weight w of an int8 node packed in int16 pairs along K per output channel
 * (ir/ops/qint8Dot.ts), selecting the dual-MAC kernel; null for depthwise convolutions (one
 * input channel per group), which accumulate tap by tap instead.
 */
export function packedWeight(op: string, w: TensorData, attrs: Map<string, Attr>): TensorData | null {
  if (op === 'QConvInt8') {
    const group = (attrs.get('group')?.value as number | undefined) ?? 1, [M, Cg] = w.shape;
    return Cg === 1 && group > 1 ? null : packPairs(w, M, numel(w.shape) / M);
  }
  const [K, N] = w.shape, t = zeros('int8', [N, K]);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) t.data[j * K + k] = w.data[k * N + j];
  return packPairs(t, N, K);
}

/** The weight input of an int8 node: packed where packedWeight packs it (attribute w_shape
 * then gives the logical shape), else the int8 codes. */
export function weightInput(n: Node, op: string, w: TensorData, attrs: Map<string, Attr>): { v: Value; q: Record<string, number[]> } {
  const p = packedWeight(op, w, attrs);
  return p ? { v: constValue(`${n.name}.wp`, p), q: { w_shape: w.shape } } : { v: constValue(`${n.name}.wq`, w), q: {} };
}
