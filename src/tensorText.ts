// Tensors as text, numpy-style: nested brackets, long axes summarised as first/last
// `edge` items around `...` once the tensor has more than `threshold` elements, and a
// header line (name, dtype, shape) with min/max/mean for numeric tensors.
import { isFloat } from '../ir/dtype.js';
import { TensorData, getBig, getNum, numel } from '../ir/tensor.js';

export interface TextOptions { threshold?: number; edge?: number }

/** Indices shown along an axis of length n (-1 marks the `...`). */
function shown(n: number, edge: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * edge) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: edge }, (_, i) => i), -1, ...Array.from({ length: edge }, (_, i) => n - edge + i)];
}

/** One element as text (floats by `fmt`, 64-bit integers exactly, bools as True/False). */
function elementText(t: TensorData, i: number, fmt: (v: number) => string): string {
  if (t.dtype === 'bool') return getNum(t, i) ? 'True' : 'False';
  if (t.dtype === 'int64' || t.dtype === 'uint64') return String(getBig(t, i));
  return isFloat(t.dtype) ? fmt(getNum(t, i)) : String(getNum(t, i));
}

/** A float formatter shared by all shown values: fixed with 4 decimals, or scientific. */
function floatFormat(vals: number[]): (v: number) => string {
  const finite = vals.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  const sci = finite.length > 0 && (Math.max(...finite) >= 1e6 || Math.min(...finite) < 1e-4);
  const special = (v: number) => (Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf');
  if (sci) return (v) => (Number.isFinite(v) ? v.toExponential(4) : special(v));
  const ints = vals.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  return (v) => (!Number.isFinite(v) ? special(v) : ints ? `${v}.` : v.toFixed(4));
}

/** The values as nested brackets, e.g. `[[1 2 3]\n [4 5 6]]`. */
export function valuesText(t: TensorData, opts: TextOptions = {}): string {
  const edge = opts.edge ?? 3, n = numel(t.shape);
  const summarise = n > (opts.threshold ?? 1000);
  const rank = t.shape.length, strides = t.shape.map((_, a) => numel(t.shape.slice(a + 1)));
  // flat indices of the shown elements, to size the float format and the column width
  const idx: number[] = [];
  const collect = (a: number, off: number) => {
    if (a === rank) { idx.push(off); return; }
    for (const i of shown(t.shape[a], edge, summarise)) if (i >= 0) collect(a + 1, off + i * strides[a]);
  };
  if (n > 0) collect(0, 0);
  const fmt = isFloat(t.dtype) ? floatFormat(idx.map((i) => getNum(t, i))) : String;
  const text = new Map(idx.map((i) => [i, elementText(t, i, fmt)]));
  const width = Math.max(0, ...[...text.values()].map((s) => s.length));
  const render = (a: number, off: number): string => {
    if (a === rank) return text.get(off)!.padStart(width);
    const sep = a === rank - 1 ? ' ' : '\n'.repeat(rank - 1 - a) + ' '.repeat(a + 1);
    const parts = shown(t.shape[a], edge, summarise).map((i) => (i < 0 ? '...' : render(a + 1, off + i * strides[a])));
    return `[${parts.join(sep)}]`;
  };
  return n === 0 ? `[]` : render(0, 0);
}

/** min/max/mean over numeric elements (NaNs counted apart); undefined for bool or empty tensors. */
export function tensorStats(t: TensorData): { min: number; max: number; mean: number; nans: number } | undefined {
  const n = numel(t.shape);
  if (t.dtype === 'bool' || n === 0) return undefined;
  let min = Infinity, max = -Infinity, sum = 0, nans = 0;
  for (let i = 0; i < n; i++) {
    const v = getNum(t, i);
    if (Number.isNaN(v)) { nans++; continue; }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return n > nans ? { min, max, mean: sum / (n - nans), nans } : { min: NaN, max: NaN, mean: NaN, nans };
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : Number.isFinite(v) ? v.toPrecision(6).replace(/\.?0+(e|$)/, '$1') : String(v));

/** Header line, values, and a stats line: what `onnxc tensor` and `run --print` show. */
export function tensorText(name: string, t: TensorData, opts: TextOptions = {}): string {
  const lines = [`${name}: ${t.dtype} [${t.shape.join(', ')}] (${numel(t.shape)} elements)`, valuesText(t, opts)];
  const s = tensorStats(t);
  if (s) lines.push(`min ${num(s.min)}  max ${num(s.max)}  mean ${num(s.mean)}${s.nans ? `  (${s.nans} NaN)` : ''}`);
  return lines.join('\n') + '\n';
}
