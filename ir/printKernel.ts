// Text form of the kernel IR, as --print-after-all and --dump-ir show it after kernel passes:
// every fact the IR carries is printed (loop kinds, bounds, thread bindings, reduce
// accumulators, memory spaces, launches), in a syntax of its own rather than a target's.
import { byteSize } from './dtype.js';
import { Expr, ForStmt, KBuf, Kernel, Program, ProgramBuf, Stmt } from './kernel.js';
import type { VExpr } from './vector.js';

const bufRef = (b: KBuf): string => `%${b.name}#${b.id}`;

const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/', mod: '%', and: '&', or: '|', xor: '^', shl: '<<', shr: '>>',
  eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** An expression: infix arithmetic, `name(args)` for the rest, `:type` on constants, loads and casts. */
export function printExpr(e: Expr): string {
  switch (e.k) {
    case 'const': return `${e.v}:${e.t}`;
    case 'var': return e.name;
    case 'load': return `${bufRef(e.buf)}[${printExpr(e.idx)}]`;
    case 'un': return `${e.op}(${printExpr(e.a)})`;
    case 'bin': case 'cmp': return INFIX[e.op] ? `(${printExpr(e.a)} ${INFIX[e.op]} ${printExpr(e.b)})` : `${e.op}(${printExpr(e.a)}, ${printExpr(e.b)})`;
    case 'select': return `select(${printExpr(e.c)}, ${printExpr(e.a)}, ${printExpr(e.b)})`;
    case 'cast': return `${e.bits ? 'bitcast' : e.sat ? 'satcast' : 'cast'}<${e.t}>(${printExpr(e.a)})`;
    default: return `${(e as { k: string }).k}(…)`;
  }
}

/** A vector expression (lanes in the node name: vload8, vfma4…). */
export function printVExpr(e: VExpr): string {
  const sub = (x: unknown): string => (x && typeof x === 'object' && 'lanes' in (x as object) ? printVExpr(x as VExpr) : printExpr(x as Expr));
  const o = e as unknown as Record<string, unknown>;
  if (e.k === 'vload') return `vload${e.lanes}${e.stride ? `s${e.stride}` : ''}(${bufRef(e.buf)}[${printExpr(e.idx)}])`;
  if (e.k === 'vvar') return e.name;
  const args = Object.entries(o).filter(([k]) => !['k', 'lanes', 'op'].includes(k)).map(([, v]) => (typeof v === 'object' ? sub(v) : String(v)));
  return `${e.k}${e.lanes}${'op' in o ? `.${o.op}` : ''}(${args.join(', ')})`;
}

function loopHead(s: ForStmt): string {
  const facts = [s.kind, `≤${s.bound}`, ...(s.bind ? [`bind ${s.bind}`] : []), ...(s.hint ? [`hint ${JSON.stringify(s.hint)}`] : [])];
  const step = s.step === 1 ? '' : ` step ${s.step}`;
  return `for ${s.v} in [${printExpr(s.lo)}, ${printExpr(s.hi)})${step} (${facts.join(', ')}) {`;
}

/** Statements, one a line, nested by two spaces. */
export function printStmts(b: Stmt[], ind: string, out: string[]): void {
  for (const s of b) {
    switch (s.k) {
      case 'for': out.push(ind + loopHead(s)); printStmts(s.body, ind + '  ', out); out.push(`${ind}}`); break;
      case 'while': out.push(`${ind}while ${printExpr(s.c)} (${s.bound === undefined ? 'unbounded' : `≤${s.bound}`}) {`); printStmts(s.body, ind + '  ', out); out.push(`${ind}}`); break;
      case 'if':
        out.push(`${ind}if ${printExpr(s.c)} {`); printStmts(s.then, ind + '  ', out);
        if (s.else.length) { out.push(`${ind}} else {`); printStmts(s.else, ind + '  ', out); }
        out.push(`${ind}}`);
        break;
      case 'store': out.push(`${ind}${bufRef(s.buf)}[${printExpr(s.idx)}] = ${printExpr(s.val)}${s.sat === false ? ' (nosat)' : ''}`); break;
      case 'decl': out.push(`${ind}${s.name}: ${s.t}${s.reduce ? ` (reduce ${s.reduce})` : ''} = ${printExpr(s.init)}`); break;
      case 'assign': out.push(`${ind}${s.name} = ${printExpr(s.val)}`); break;
      case 'break': out.push(`${ind}break`); break;
      case 'fail': out.push(`${ind}fail ${s.status}`); break;
      case 'barrier': out.push(`${ind}barrier`); break;
      case 'vdecl': out.push(`${ind}${s.name}: f32x${s.init.lanes}${s.reduce ? ` (reduce ${s.reduce})` : ''} = ${printVExpr(s.init)}`); break;
      case 'vassign': out.push(`${ind}${s.name} = ${printVExpr(s.val)}`); break;
      case 'vstore': out.push(`${ind}${bufRef(s.buf)}[${printExpr(s.idx)}] = ${printVExpr(s.val)}`); break;
    }
  }
}

const space = (b: KBuf) => b.space ?? 'global';

/** One kernel: signature with each buffer's dtype, size, space and access, the launch, the body. */
export function printKernel(k: Kernel): string {
  const params = k.params.map((b) => `${k.writes.has(b) ? 'out' : 'in'} ${bufRef(b)}: ${b.dtype}[${b.shape ? b.shape.join('x') : b.size}] ${space(b)}`);
  const head = [`kernel ${k.name} "${k.label}"`];
  if (k.launch) head.push(`  launch blocks ${k.launch.blocks.join('x')} threads ${k.launch.threads.join('x')}${k.launch.barrier ? ' (barriers)' : ''}`);
  const lines = [...head, `  (${params.join(', ')}) {`];
  for (const b of k.shared ?? []) lines.push(`    shared ${bufRef(b)}: ${b.dtype}[${b.size}]`);
  printStmts(k.body, '    ', lines);
  lines.push('  }');
  return lines.join('\n');
}

/** A program: buffers with roles, places and sizes, then every kernel. */
export function printKernelProgram(p: Program): string {
  const lines = [`# program ${p.name}: ${p.steps.length} kernels, arena ${p.arenaSize} bytes`];
  const where = (b: ProgramBuf) => (b.role === 'temp' ? `arena+${b.offset ?? '?'}` : b.role === 'input' || b.role === 'output' ? `${b.role}[${b.index}]`
    : b.view ? `${bufRef(b.view.of)}+${b.view.at}` : b.role);
  for (const b of p.bufs) lines.push(`#   ${bufRef(b)}: ${b.dtype}[${b.size}] ${byteSize(b.dtype, b.size)}B @ ${where(b)}`);
  for (const s of p.steps) lines.push('', printKernel(s.kernel));
  return lines.join('\n') + '\n';
}
