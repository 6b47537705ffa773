// Facts about kernel-IR loops that the vectorizer (passes/vectorizeLoops.ts) needs: which
// expressions depend on the loop variable, which indices step by one element, and whether the
// stores of a body are independent.
import { Expr, Stmt } from './kernel.js';

export type Store = Extract<Stmt, { k: 'store' }>;

/** Whether expression e reads variable v. */
export function mentions(e: Expr, v: string): boolean {
  switch (e.k) {
    case 'const': return false;
    case 'var': return e.name === v;
    case 'load': case 'un': case 'cast': return mentions(e.k === 'load' ? e.idx : e.a, v);
    case 'bin': case 'cmp': return mentions(e.a, v) || mentions(e.b, v);
    case 'select': return mentions(e.c, v) || mentions(e.a, v) || mentions(e.b, v);
    default: return true;
  }
}

/** Whether index idx is v plus a term that does not depend on v (consecutive elements as v steps). */
export function unitStride(idx: Expr, v: string): boolean {
  if (idx.k === 'var') return idx.name === v;
  if (idx.k !== 'bin' || (idx.op !== 'add' && idx.op !== 'sub')) return false;
  return (unitStride(idx.a, v) && !mentions(idx.b, v)) || (idx.op === 'add' && unitStride(idx.b, v) && !mentions(idx.a, v));
}

/** The constant c with idx = c·v + (terms without v), or null when idx is not of that form. */
export function strideOf(idx: Expr, v: string): number | null {
  if (!mentions(idx, v)) return 0;
  if (idx.k === 'var') return 1;
  if (idx.k !== 'bin') return null;
  const a = strideOf(idx.a, v), b = strideOf(idx.b, v);
  if (a === null || b === null) return null;
  if (idx.op === 'add') return a + b;
  if (idx.op === 'sub') return a - b;
  if (idx.op === 'mul' && idx.b.k === 'const' && b === 0) return a * Number(idx.b.v);
  if (idx.op === 'mul' && idx.a.k === 'const' && a === 0) return b * Number(idx.a.v);
  return null;
}

/** No lane reads what another lane (or iteration) stores: loads of a stored buffer use its store's index. */
export function independent(stores: Store[]): boolean {
  const at = new Map<number, string>();
  for (const st of stores) {
    const key = JSON.stringify(st.idx);
    if ((at.get(st.buf.id) ?? key) !== key) return false;
    at.set(st.buf.id, key);
  }
  const ok = (e: Expr): boolean => {
    switch (e.k) {
      case 'load': return (!at.has(e.buf.id) || at.get(e.buf.id) === JSON.stringify(e.idx)) && ok(e.idx);
      case 'un': case 'cast': return ok(e.a);
      case 'bin': case 'cmp': return ok(e.a) && ok(e.b);
      case 'select': return ok(e.c) && ok(e.a) && ok(e.b);
      default: return true;
    }
  };
  return stores.every((st) => ok(st.val));
}
