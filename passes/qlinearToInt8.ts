// QLinearConv and QLinearMatMul with constant quantization parameters and constant symmetric
// int8 weights, as the same int8 ops the QDQ patterns become (ir/ops/qint8.ts): the float
// requantization of their default lowering (ir/ops/conv.ts, quantize.ts) is replaced by the
// fixed-point one (ir/requant.ts), which may differ from it by one code on ties. Used by
// passes/fuseQuantized.ts. ConvInteger and MatMulInteger produce the int32 sums themselves and
// already lower through the same integer convolution / GEMM emitters; they are left as they are.
import { Node, Value, constValue } from '../ir/graph.js';
import { quantizeMultiplier } from '../ir/requant.js';
import { numel, tensorFrom, toNumbers } from '../ir/tensor.js';
import { int8Node, weightInput } from './quantParams.js';

const nums = (v: Value | null | undefined): number[] | null => (v?.const ? toNumbers(v.const) : null);

/** The int8 node for a QLinearConv/QLinearMatMul n, or null when it does not qualify. */
export function qlinearToInt8(n: Node): Node | null {
  if (n.domain !== '' || (n.op !== 'QLinearConv' && n.op !== 'QLinearMatMul')) return null;
  const [x, xs, xz, w, ws, wz, ys, yz, b] = n.inputs;
  const out = n.outputs[0], wt = w?.const;
  const [xsv, xzv, wsv, wzv, ysv, yzv] = [xs, xz, ws, wz, ys, yz].map(nums);
  if (!x || !out?.type || !wt || wt.dtype !== 'int8' || !xsv || !wsv || !ysv || !yzv) return null;
  const yt = out.type.dtype, xt = x.type?.dtype;
  if ((yt !== 'int8' && yt !== 'uint8') || (xt !== 'int8' && xt !== 'uint8')) return null;
  if (xsv.length !== 1 || ysv.length !== 1 || yzv.length !== 1 || (xzv && xzv.length !== 1) || (wzv && wzv.some((z) => z !== 0))) return null;
  const conv = n.op === 'QLinearConv';
  if (!conv && (wt.shape.length !== 2 || (x.type?.shape.length ?? 0) < 2)) return null;
  const C = conv ? wt.shape[0] : wt.shape[1];
  if (wsv.length !== 1 && wsv.length !== C) return null;
  if (b && (!b.const || numel(b.const.shape) !== C)) return null;
  const q = Array.from({ length: C }, (_, m) => quantizeMultiplier(xsv[0] * wsv[wsv.length === 1 ? 0 : m] / ysv[0]));
  if (q.some((v) => !v)) return null;
  const i32 = (name: string, vals: number[]) => constValue(`${n.name}.${name}`, tensorFrom('int32', [C], vals));
  const bias = conv && b?.const ? i32('bias', toNumbers(b.const)) : null;
  const [lo, hi] = yt === 'int8' ? [-128, 127] : [0, 255];
  const op = conv ? 'QConvInt8' : 'QMatMulInt8';
  const wi = weightInput(n, op, wt, n.attrs);
  return int8Node(n, op, [x, wi.v, bias, i32('mult', q.map((v) => v!.mult)), i32('rshift', q.map((v) => v!.rshift))], out, {
    x_zero_point: xzv ? xzv[0] : 0, y_zero_point: yzv[0], y_type: yt, lo, hi, ...wi.q,
  }, n.attrs);
}
