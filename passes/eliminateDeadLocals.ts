// eliminateDeadLocals: removes kernel locals that are never read (their declarations and
// assignments), repeating until nothing changes. Lowerings may declare a value a branch turns
// out not to need (a pad value with zero padding); C compilers rightly warn about those.
import { Expr, Program, Stmt } from '../ir/kernel.js';
import { VExpr } from '../ir/vector.js';

function readsOf(x: Expr | VExpr | Stmt | Stmt[], out: Set<string>): void {
  if (Array.isArray(x)) { for (const s of x) readsOf(s, out); return; }
  switch (x.k) {
    case 'var': case 'vvar': out.add(x.name); return;
    case 'decl': readsOf(x.init, out); return;
    case 'vdecl': readsOf(x.init, out); return;
    case 'assign': case 'vassign': readsOf(x.val, out); return;
    default:
      for (const v of Object.values(x)) if (v && typeof v === 'object' && !('size' in v && 'dtype' in v)) readsOf(v as Expr, out);
  }
}

function prune(b: Stmt[], live: Set<string>): [Stmt[], boolean] {
  let changed = false;
  const out: Stmt[] = [];
  for (const s of b) {
    if ((s.k === 'decl' || s.k === 'vdecl' || s.k === 'assign' || s.k === 'vassign') && !live.has(s.name)) { changed = true; continue; }
    if (s.k === 'for' || s.k === 'while') {
      const [body, c] = prune(s.body, live);
      changed ||= c;
      out.push({ ...s, body });
    } else if (s.k === 'if') {
      const [t, c1] = prune(s.then, live), [e, c2] = prune(s.else, live);
      changed ||= c1 || c2;
      out.push({ ...s, then: t, else: e });
    } else out.push(s);
  }
  return [out, changed];
}

/** Drops dead locals from every kernel of the program. */
export function eliminateDeadLocals(p: Program): void {
  for (const step of p.steps) {
    const k = step.kernel;
    for (;;) {
      const live = new Set<string>();
      readsOf(k.body, live);
      const [body, changed] = prune(k.body, live);
      k.body = body;
      if (!changed) break;
    }
  }
}
