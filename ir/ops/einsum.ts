// Einsum: equation parsing (explicit and implicit output, ellipsis broadcasting, repeated
// labels as diagonals) and a direct loop nest: output loops, then reduction loops.
import { InferCtx } from '../ctx.js';
import { Dim } from '../graph.js';
import { add, lit, mul } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, str } from '../opdef.js';
import { tt } from './common.js';

interface Equation {
  /** Label of every axis of every operand (ellipsis axes are named '.0', '.1', …). */
  terms: string[][];
  output: string[];
  /** Extent of every label. */
  size: Map<string, Dim>;
}

const LETTER = /^[A-Za-z]$/;

/** Splits a term into letters and (at most one) ellipsis marker '…'. */
function termLabels(ctx: InferCtx, term: string): string[] {
  const out: string[] = [];
  for (let p = 0; p < term.length;) {
    if (term.startsWith('...', p)) {
      if (out.includes('…')) throw ctx.error(`term '${term}' has more than one ellipsis`);
      out.push('…');
      p += 3;
    } else if (LETTER.test(term[p])) out.push(term[p++]);
    else throw ctx.error(`invalid character '${term[p]}' in equation term '${term}'`);
  }
  return out;
}

function parseEquation(ctx: InferCtx, shapes: Dim[][]): Equation {
  const eq = ctx.str('equation').replace(/ /g, '');
  const arrow = eq.indexOf('->');
  const lhs = (arrow < 0 ? eq : eq.slice(0, arrow)).split(',').map((t) => termLabels(ctx, t));
  if (lhs.length !== shapes.length) throw ctx.error(`equation has ${lhs.length} input terms but the node has ${shapes.length} inputs`);
  // ellipsis rank: the axes not named by letters (the same for every operand up to broadcasting)
  const ellRanks = lhs.map((t, i) => {
    const letters = t.filter((l) => l !== '…').length;
    const r = shapes[i].length - letters;
    if (r < 0 || (r > 0 && !t.includes('…'))) throw ctx.error(`term ${i} names ${letters} axes but input ${i} has rank ${shapes[i].length}`);
    return r;
  });
  const E = Math.max(0, ...ellRanks);
  const ell = (k: number) => Array.from({ length: k }, (_, d) => `.${E - k + d}`);
  const terms = lhs.map((t, i) => t.flatMap((l) => (l === '…' ? ell(ellRanks[i]) : [l])));

  const size = new Map<string, Dim>();
  terms.forEach((t, i) => t.forEach((l, d) => {
    const x = shapes[i][d], prev = size.get(l);
    if (prev === undefined || prev === 1) size.set(l, x);
    else if (x !== 1 && x !== prev && typeof x === 'number' && typeof prev === 'number')
      throw ctx.error(`label '${l[0] === '.' ? '...' : l}' has extents ${prev} and ${x}`);
  }));

  let output: string[];
  if (arrow >= 0) {
    const rhs = termLabels(ctx, eq.slice(arrow + 2));
    output = rhs.flatMap((l) => (l === '…' ? ell(E) : [l]));
    for (const l of output) if (!size.has(l)) throw ctx.error(`output label '${l}' does not occur in the inputs`);
    if (new Set(output).size !== output.length) throw ctx.error('output labels must be distinct');
  } else {
    const count = new Map<string, number>();
    for (const t of lhs) for (const l of t) if (l !== '…') count.set(l, (count.get(l) ?? 0) + 1);
    output = [...ell(E), ...[...count.keys()].filter((l) => count.get(l) === 1).sort()];
  }
  return { terms, output, size };
}

const einsumDef: OpDef = {
  op: 'Einsum',
  attrs: { equation: str() },
  infer: (ctx) => {
    const shapes = ctx.node.inputs.map((_, i) => ctx.shape(i));
    const e = parseEquation(ctx, shapes);
    return [tt(ctx.dtype(0), e.output.map((l) => e.size.get(l)!))];
  },
  lower: (ctx) => {
    const ins = ctx.node.inputs.map((_, i) => ctx.in(i));
    const Y = ctx.out(0);
    const e = parseEquation(ctx, ins.map((r) => r.shape));
    const reduced = [...e.size.keys()].filter((l) => !e.output.includes(l));
    const extent = (l: string) => e.size.get(l) as number;
    ctx.nest(e.output.map(extent), (oi) => {
      const acc = ctx.local(lit(0, Y.t), 'acc');
      ctx.nest(reduced.map(extent), (ri) => {
        const at = new Map<string, Expr>([...e.output.map((l, d) => [l, oi[d]] as const), ...reduced.map((l, d) => [l, ri[d]] as const)]);
        // a label repeated within a term contributes its index once per axis: a diagonal
        const prod = ins.map((r, i) => ctx.load(r, e.terms[i].reduce<Expr>((o, l, d) => (r.shape[d] === 1 ? o : add(o, mul(at.get(l)!, r.strides[d]))), lit(0, 'idx'))));
        ctx.assign(acc, add(acc, prod.reduce((p, x) => mul(p, x))));
      });
      ctx.store(Y, oi, acc);
    });
  },
};

export const einsumOps: OpDef[] = [einsumDef];
