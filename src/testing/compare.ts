// Compares tensors the way ONNX's backend test runner does: exact element type and shape;
// floats within |a-e| <= atol + rtol*|e| (NaN matches NaN, infinities must match); others exact.
import { isFloat } from '../../ir/dtype.js';
import { TensorData, getBig, getNum, numel } from '../../ir/tensor.js';

export interface Tolerance { rtol: number; atol: number }
export const ONNX_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

/** null when equal, else a one-line reason. */
export function compareTensors(actual: TensorData, expected: TensorData, tol: Tolerance = ONNX_TOLERANCE): string | null {
  if (actual.dtype !== expected.dtype) return `element type ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.join() !== expected.shape.join()) return `shape [${actual.shape}], expected [${expected.shape}]`;
  const n = numel(expected.shape);
  let bad = 0, first = -1, worst = 0;
  const float = isFloat(expected.dtype);
  const big = expected.dtype === 'int64' || expected.dtype === 'uint64';
  for (let i = 0; i < n; i++) {
    let ok: boolean;
    if (float) {
      const a = getNum(actual, i), e = getNum(expected, i);
      if (Number.isNaN(e) || Number.isNaN(a)) ok = Number.isNaN(e) && Number.isNaN(a);
      else if (!Number.isFinite(e) || !Number.isFinite(a)) ok = a === e;
      else {
        const d = Math.abs(a - e);
        ok = d <= tol.atol + tol.rtol * Math.abs(e);
        if (!ok) worst = Math.max(worst, d);
      }
    } else ok = big ? getBig(actual, i) === getBig(expected, i) : getNum(actual, i) === getNum(expected, i);
    if (!ok) { bad++; if (first < 0) first = i; }
  }
  if (!bad) return null;
  const show = (t: TensorData) => (big ? String(getBig(t, first)) : String(getNum(t, first)));
  return `${bad}/${n} elements differ (first at ${first}: got ${show(actual)}, expected ${show(expected)}${float ? `; max abs diff ${worst.toPrecision(3)}` : ''})`;
}
