// Loads of run-time dims hoisted to the top of a kernel: every tensor ref with a run-time dim
// (ir/ctx.ts RtDims) loads its slot wherever a dim or stride is used, inside the innermost
// loops too; a kernel that only reads a slot loads it once into a local instead, so the loops
// see a loop-invariant value (C compilers and V8 do not hoist loads through possible aliases).
import type { Expr, KBuf, Stmt } from './kernel.js';

/** The body with loads of `slots` (read-only in this kernel) replaced by locals declared first. */
export function hoistDimLoads(body: Stmt[], slots: KBuf[]): Stmt[] {
  if (!slots.length) return body;
  const name = (b: KBuf) => `rtdim${b.id}`;
  const map = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(map);
    if (!x || typeof x !== 'object') return x;
    const e = x as Expr;
    if (e.k === 'load' && slots.includes(e.buf)) return { k: 'var', t: e.t, name: name(e.buf) };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) out[k] = k === 'buf' ? v : map(v);
    return out;
  };
  const decls: Stmt[] = slots.map((b) => ({ k: 'decl', name: name(b), t: 'i64', init: { k: 'load', t: 'i64', buf: b, idx: { k: 'const', t: 'idx', v: 0 } } }));
  return [...decls, ...(map(body) as Stmt[])];
}
