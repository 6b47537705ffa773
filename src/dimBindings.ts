// --dim bindings: NAME=VALUE specializes a symbolic dim to one value; NAME=LO..HI keeps it a
// run-time dim (ir/rtdims.ts) of at most HI that the program checks is at least LO when it runs.
// The CLI parses the text here, the API (CompileOptions.dims) takes the same text or the values.
import { CompileError } from '../ir/errors.js';
import { rtDim } from '../ir/rtdims.js';

/** A bounded dim: any value in [min, max] at run time. */
export interface DimRange { min: number; max: number }
/** What --dim binds a name to: a number, a range, or their text ('64', '1..128'). */
export type DimBinding = number | DimRange | string;

/** A binding's value: a number, or a checked range (one error line naming the dim). */
export function parseDimBinding(name: string, b: DimBinding): number | DimRange {
  const said = typeof b === 'object' ? `${b.min}..${b.max}` : String(b);
  const bad = (why: string) => new CompileError(`--dim ${name}=${said}: ${why}`);
  const num = (x: unknown): number => {
    const n = typeof x === 'number' ? x : /^\s*\d+\s*$/.test(String(x)) ? Number(x) : NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw bad('expects a non-negative integer or a range LO..HI of them');
    return n;
  };
  if (typeof b === 'number') return num(b);
  const m = typeof b === 'string' ? /^([^.]*)\.\.(.*)$/.exec(b) : null;
  if (typeof b === 'string' && !m) return num(b);
  const r = typeof b === 'object' ? { min: num(b.min), max: num(b.max) } : { min: num(m![1]), max: num(m![2]) };
  if (r.min < 1) throw bad('the lower bound must be at least 1');
  if (r.min > r.max) throw bad(`the lower bound ${r.min} is above the upper bound ${r.max}`);
  return r;
}

/** The graph dim a binding stands for: the number, or the run-time dim NAME<=HI. */
export const boundDim = (name: string, b: number | DimRange): number | string => (typeof b === 'number' ? b : rtDim(name, b.max));

/** The ranges among bindings, keyed by the run-time dim they make (NAME<=HI). */
export function dimRanges(dims: Record<string, DimBinding> = {}): Map<string, DimRange & { name: string }> {
  const out = new Map<string, DimRange & { name: string }>();
  for (const [k, b] of Object.entries(dims)) {
    const v = parseDimBinding(k, b);
    if (typeof v !== 'number') out.set(rtDim(k, v.max), { name: k, ...v });
  }
  return out;
}
