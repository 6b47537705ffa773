// JavaScript renderer of the kernel IR: the reference evaluator used for constant folding and
// as an oracle in tests. Follows the C semantics of each scalar type (float32 rounding through
// Math.fround, integer wrap-around, int64 as BigInt).
import { Scalar, dtypeInfo } from '../../ir/dtype.js';
import { Expr, Kernel, Stmt } from '../../ir/kernel.js';
import { VExpr, laneExpr } from '../../ir/vector.js';

const WRAP: Partial<Record<Scalar, (s: string) => string>> = {
  i8: (s) => `((${s}) << 24 >> 24)`, u8: (s) => `((${s}) & 255)`,
  i16: (s) => `((${s}) << 16 >> 16)`, u16: (s) => `((${s}) & 65535)`,
  i32: (s) => `((${s}) | 0)`, u32: (s) => `((${s}) >>> 0)`,
  i64: (s) => `BigInt.asIntN(64, ${s})`, u64: (s) => `BigInt.asUintN(64, ${s})`,
  f32: (s) => `Math.fround(${s})`, bool: (s) => `((${s}) ? 1 : 0)`,
};
const wrap = (t: Scalar, s: string) => (WRAP[t] ?? ((x: string) => `(${x})`))(s);
const big = (t: Scalar) => t === 'i64' || t === 'u64';
const isF = (t: Scalar) => t === 'f32' || t === 'f64';

const MATH: Record<string, string> = {
  sqrt: 'Math.sqrt', exp: 'Math.exp', log: 'Math.log', sin: 'Math.sin', cos: 'Math.cos', tan: 'Math.tan',
  asin: 'Math.asin', acos: 'Math.acos', atan: 'Math.atan', sinh: 'Math.sinh', cosh: 'Math.cosh',
  tanh: 'Math.tanh', asinh: 'Math.asinh', acosh: 'Math.acosh', atanh: 'Math.atanh', floor: 'Math.floor',
  ceil: 'Math.ceil', trunc: 'Math.trunc', erf: 'R.erf', rint: 'R.rint',
};

function lit(e: Extract<Expr, { k: 'const' }>): string {
  if (typeof e.v === 'bigint') return `${e.v}n`;
  if (Number.isNaN(e.v)) return 'NaN';
  if (!Number.isFinite(e.v)) return e.v > 0 ? 'Infinity' : '-Infinity';
  const x = e.t === 'f32' ? Math.fround(e.v) : e.v;
  return Object.is(x, -0) ? '-0' : `${x}`;
}

function castTo(t: Scalar, from: Scalar, s: string): string {
  if (t === from) return s;
  if (t === 'bool') return big(from) ? `(${s} !== 0n ? 1 : 0)` : `(${s} != 0 ? 1 : 0)`;
  // float → integer saturates (rows f32_to_<t>, f64_to_<t>); f32 → f64 and back as the row says
  if (isF(from) && !isF(t)) return t === 'idx' ? `R.f2idx(${s})` : `R.I.${from}_to_${t}(${s})`;
  if (big(t)) return big(from) ? wrap(t, s) : wrap(t, `BigInt(${s})`);
  if (t === 'f32') return big(from) ? `R.I.${from}_to_f32(${s})` : `Math.fround(${s})`;
  if (t === 'f64' || t === 'idx') return big(from) ? `Number(${s})` : s;
  return wrap(t, big(from) ? `Number(BigInt.asIntN(32, ${s}))` : s);
}

/** Renders one expression as JS source. */
export function renderExpr(e: Expr): string {
  switch (e.k) {
    case 'const': return lit(e);
    case 'var': return e.name;
    case 'load': {
      const buf = `$b${e.buf.id}[${renderExpr(e.idx)}]`;
      const d = e.buf.dtype;
      if (d === 'float16') return `R.h2f(${buf})`;
      if (d === 'bfloat16') return `R.bf2f(${buf})`;
      if (dtypeInfo(d).bits < 8) return `R.ldp('${d}', $b${e.buf.id}, ${renderExpr(e.idx)})`;
      if (d.startsWith('float8')) return `R.m2f('${d}', ${buf})`;
      return buf;
    }
    case 'un': return renderUn(e.op, e.t, e.a);
    case 'bin': return renderBin(e.op, e.t, renderExpr(e.a), renderExpr(e.b));
    case 'cmp': {
      const ops = { eq: '===', ne: '!==', lt: '<', le: '<=', gt: '>', ge: '>=' };
      const o = e.op === 'eq' ? '==' : e.op === 'ne' ? '!=' : ops[e.op];
      return `(${renderExpr(e.a)} ${o} ${renderExpr(e.b)} ? 1 : 0)`;
    }
    case 'select': return `(${renderExpr(e.c)} ? ${renderExpr(e.a)} : ${renderExpr(e.b)})`;
    case 'cast': return e.bits ? `R.bits('${e.a.t}', '${e.t}', ${renderExpr(e.a)})` : castTo(e.t, e.a.t, renderExpr(e.a));
  }
}

function renderUn(op: string, t: Scalar, a: Expr): string {
  const s = renderExpr(a);
  switch (op) {
    case 'neg': return big(t) ? wrap(t, `-${s}`) : isF(t) ? `(-${s})` : wrap(t, `-${s}`);
    case 'abs': return big(t) ? `(${s} < 0n ? ${wrap(t, `-${s}`)} : ${s})` : wrap(t, `Math.abs(${s})`);
    case 'not': return `(${s} ? 0 : 1)`;
    case 'bitnot': return wrap(t, `~${s}`);
    case 'isnan': return `(Number.isNaN(${s}) ? 1 : 0)`;
    case 'isinf': return `(Math.abs(${s}) === Infinity ? 1 : 0)`;
    case 'signbit': return `((${s} < 0 || Object.is(${s}, -0)) ? 1 : 0)`;
    default: return wrap(t, `${MATH[op]}(${s})`);
  }
}

function renderBin(op: string, t: Scalar, a: string, b: string): string {
  switch (op) {
    case 'add': return wrap(t, `${a} + ${b}`);
    case 'sub': return wrap(t, `${a} - ${b}`);
    case 'mul': return t === 'i32' || t === 'u32' ? wrap(t, `Math.imul(${a}, ${b})`) : wrap(t, `${a} * ${b}`);
    case 'div': case 'mod':
      if (isF(t)) return wrap(t, op === 'div' ? `${a} / ${b}` : `R.fmod(${a}, ${b})`);
      return t === 'idx' ? `R.i${op}(${a}, ${b})` : `R.I.${op}_${t}(${a}, ${b})`;
    case 'min': return isF(t) ? wrap(t, `R.fmin(${a}, ${b})`) : `R.min(${a}, ${b})`;
    case 'max': return isF(t) ? wrap(t, `R.fmax(${a}, ${b})`) : `R.max(${a}, ${b})`;
    case 'pow': return wrap(t, `Math.pow(${a}, ${b})`);
    case 'atan2': return wrap(t, `Math.atan2(${a}, ${b})`);
    case 'dot2': return `R.dot2(${a}, ${b})`;
    case 'and': return wrap(t, `${a} & ${b}`);
    case 'or': return wrap(t, `${a} | ${b}`);
    case 'xor': return wrap(t, `${a} ^ ${b}`);
    case 'shl': case 'shr': return `R.I.${op}_${t}(${a}, ${b})`;
  }
  throw new Error(`renderJs: binary op ${op}`);
}

function renderStmt(s: Stmt, ind: string): string {
  switch (s.k) {
    case 'for':
      return `${ind}for (let ${s.v} = ${renderExpr(s.lo)}; ${s.v} < ${renderExpr(s.hi)}; ${s.v} += ${s.step}) {\n${renderBlock(s.body, ind + '  ')}${ind}}\n`;
    case 'store': {
      const d = s.buf.dtype, idx = renderExpr(s.idx), val = renderExpr(s.val);
      if (dtypeInfo(d).bits < 8) return `${ind}R.stp('${d}', $b${s.buf.id}, ${idx}, ${val});\n`;
      const conv = d === 'float16' ? `R.f2h(${val})` : d === 'bfloat16' ? `R.f2bf(${val})`
        : d.startsWith('float8') ? `R.f2m('${d}', ${val}, ${s.sat !== false})` : val;
      return `${ind}$b${s.buf.id}[${idx}] = ${conv};\n`;
    }
    case 'decl': return `${ind}let ${s.name} = ${renderExpr(s.init)};\n`;
    case 'assign': return `${ind}${s.name} = ${renderExpr(s.val)};\n`;
    case 'if': {
      const els = s.else.length ? ` else {\n${renderBlock(s.else, ind + '  ')}${ind}}` : '';
      return `${ind}if (${renderExpr(s.c)}) {\n${renderBlock(s.then, ind + '  ')}${ind}}${els}\n`;
    }
    case 'while': return `${ind}while (${renderExpr(s.c)}) {\n${renderBlock(s.body, ind + '  ')}${ind}}\n`;
    case 'break': return `${ind}break;\n`;
    case 'fail': return `${ind}return ${s.status};\n`;
    case 'barrier': throw new Error('renderJs: a barrier needs a target with threads');
    case 'vdecl': return `${ind}let ${s.name} = ${renderVExpr(s.init)};\n`;
    case 'vassign': return `${ind}${s.name} = ${renderVExpr(s.val)};\n`;
    case 'vstore': return `${ind}R.vst($b${s.buf.id}, ${renderExpr(s.idx)}, ${renderVExpr(s.val)});\n`;
  }
}

/** Vectors are Float32Arrays of `lanes` elements, computed lane by lane. */
function renderVExpr(e: VExpr): string {
  switch (e.k) {
    case 'vload': return `R.vld($b${e.buf.id}, ${renderExpr(e.idx)}, ${e.lanes}${e.stride === 2 ? ', 2' : ''})`;
    case 'vsplat': return `R.vsp(${renderExpr(e.a)}, ${e.lanes})`;
    case 'vvar': return e.name;
    case 'vbin': return `R.vbin('${e.op}', ${renderVExpr(e.a)}, ${renderVExpr(e.b)})`;
    case 'vun': return `R.vun('${e.op}', ${renderVExpr(e.a)})`;
    case 'vfma': return `R.vfma(${renderVExpr(e.a)}, ${renderVExpr(e.b)}, ${renderVExpr(e.c)})`;
    case 'vselect': return `R.vsel('${e.op}', ${[e.a, e.b, e.x, e.y].map(renderVExpr).join(', ')})`;
    case 'vmap': {
      const names = e.args.map((_, i) => `$l${i}`);
      return `R.vmap((${names.join(', ')}) => ${renderExpr(laneExpr(e.op, names))}, ${e.args.map(renderVExpr).join(', ')})`;
    }
  }
}

function renderBlock(b: Stmt[], ind: string): string {
  return b.map((s) => renderStmt(s, ind)).join('');
}

/** Renders a kernel as the source of `function (R, $b<id>...) { ... }` (buffers are `$b<id>`, never clashing with locals). */
export function renderKernelJs(k: Kernel): string {
  return `${renderBlock(k.body, '  ')}  return 0;\n`;
}
