// Attention (opset 23/24: MHA/GQA/MQA, 3-D and 4-D layouts, KV cache, masks, causal, softcap,
// qk_matmul_output modes, nonpad_kv_seqlen) and RotaryEmbedding.
import { Scalar, isFloat } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { Dim } from '../graph.js';
import { E, add, as, cast, cmp, div, linearIndex, lit, max, mul, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, int } from '../opdef.js';
import { tt } from './common.js';
import { MatView, emitGemm, tempDtype } from './gemm.js';

/** A [batch, heads, seq, size] tensor as stored: 4-D as is, 3-D as [batch, seq, heads·size]. */
interface HeadLayout {
  ref: TensorRef;
  heads: number;
  seq: number;
  size: number;
  /** Strides of batch, head and sequence position (the size axis is contiguous). */
  b: number;
  h: number;
  s: number;
}

function headLayout(ref: TensorRef, heads: number): HeadLayout {
  const [, x, y, z] = ref.shape;
  if (ref.shape.length === 4) return { ref, heads: x, seq: y, size: z, b: x * y * z, h: y * z, s: z };
  const size = y / heads;
  return { ref, heads, seq: x, size, b: x * y, h: size, s: y };
}

/** Element offset of row `s` of head `h` in batch `b`. */
const rowOff = (l: HeadLayout, b: E, h: E, s: E) => add(add(mul(b, l.b), mul(h, l.h)), mul(s, l.s));

interface Dims { B: number | Dim; Hq: number; Hkv: number; Sq: Dim; Skv: Dim; P: Dim; T: Dim; D: Dim; Dv: Dim; rank: number }

function attentionDims(ctx: InferCtx): Dims {
  const q = ctx.shape(0), k = ctx.shape(1), v = ctx.shape(2), rank = q.length;
  if ((rank !== 3 && rank !== 4) || k.length !== rank || v.length !== rank) throw ctx.error('Q, K and V must all be 3-D or all be 4-D');
  let Hq: number, Hkv: number, D: Dim, Dv: Dim;
  if (rank === 3) {
    if (!ctx.hasAttr('q_num_heads') || !ctx.hasAttr('kv_num_heads')) throw ctx.error('3-D inputs need the q_num_heads and kv_num_heads attributes');
    Hq = ctx.int('q_num_heads');
    Hkv = ctx.int('kv_num_heads');
    const per = (d: Dim, h: number, what: string): Dim => {
      if (typeof d !== 'number') throw ctx.error(`the hidden size of ${what} must be static`);
      if (d % h) throw ctx.error(`hidden size ${d} of ${what} is not a multiple of ${h} heads`);
      return d / h;
    };
    D = per(q[2], Hq, 'Q');
    if (per(k[2], Hkv, 'K') !== D) throw ctx.error('Q and K head sizes differ');
    Dv = per(v[2], Hkv, 'V');
  } else {
    if (typeof q[1] !== 'number' || typeof k[1] !== 'number') throw ctx.error('the head counts of Q and K must be static');
    [Hq, Hkv, D, Dv] = [q[1], k[1], q[3], v[3]];
  }
  if (Hq % Hkv) throw ctx.error(`q_num_heads ${Hq} is not a multiple of kv_num_heads ${Hkv}`);
  const Sq = q[rank - 2], Skv = k[rank - 2];
  for (const i of [4, 5]) if (ctx.has(i) && ctx.rank(i) !== 4) throw ctx.error(`input ${i} (${i === 4 ? 'past_key' : 'past_value'}) must have rank 4, got rank ${ctx.rank(i)}`);
  const P: Dim = ctx.has(4) ? ctx.shape(4)[2] : 0;
  const T: Dim = typeof P === 'number' && typeof Skv === 'number' ? P + Skv : `${P}+${Skv}`;
  return { B: q[0], Hq, Hkv, Sq, Skv, P, T, D, Dv, rank };
}

/** Writes past (may be absent) then the new K or V rows into a [B, H, T, size] buffer; returns its layout. */
function emitConcatCache(ctx: LowerCtx, past: TensorRef | null, cur: HeadLayout, dst: TensorRef): HeadLayout {
  const [B, H, T, S] = dst.shape, P = T - cur.seq;
  const d = headLayout(dst, H);
  const copy = (src: HeadLayout, seq: number, first: number) => ctx.nest([B, H, seq], ([b, h, t]) => {
    const to = ctx.local(rowOff(d, b, h, add(t, first)), 'to'), from = ctx.local(rowOff(src, b, h, t), 'from');
    ctx.loop(S, (e) => ctx.store(dst, add(to, e), ctx.load(src.ref, add(from, e))), { name: 'e' });
  });
  if (past) copy(headLayout(past, H), P, 0);
  copy(cur, cur.seq, P);
  return d;
}

const attentionDef: OpDef = {
  op: 'Attention',
  attrs: {
    is_causal: int(0), kv_num_heads: int(), q_num_heads: int(), qk_matmul_output_mode: int(0),
    scale: float(), softcap: float(0), softmax_precision: int(),
  },
  infer: (ctx) => {
    const d = attentionDims(ctx);
    if (ctx.has(4) !== ctx.has(5)) throw ctx.error('past_key and past_value must be given together');
    if (ctx.has(6) && ctx.has(4)) throw ctx.error('nonpad_kv_seqlen cannot be used with past_key/past_value');
    const mode = ctx.int('qk_matmul_output_mode');
    if (mode < 0 || mode > 3) throw ctx.error(`qk_matmul_output_mode ${mode} is not supported (0…3)`);
    const t = ctx.dtype(0);
    const y = d.rank === 4 ? [d.B, d.Hq, d.Sq, d.Dv] : [d.B, d.Sq, typeof d.Dv === 'number' ? d.Hq * d.Dv : `${d.Hq}*${d.Dv}`];
    return [
      tt(t, y),
      tt(ctx.dtype(1), [d.B, d.Hkv, d.T, d.D]),
      tt(ctx.dtype(2), [d.B, d.Hkv, d.T, d.Dv]),
      tt(t, [d.B, d.Hq, d.Sq, d.T]),
    ].slice(0, ctx.numOutputs);
  },
  lower: (ctx) => {
    const { B, Hq, Hkv, Sq, P, T, D, Dv } = attentionDims(ctx) as Dims & { B: number; Sq: number; P: number; T: number; D: number; Dv: number };
    const G = Hq / Hkv;
    const Q = headLayout(ctx.in(0), Hq);
    const Y = headLayout(ctx.out(0), Hq);
    // the full key/value sequences: present_key/value (past ++ new), a temporary, or K/V as is
    const past = (i: number) => (ctx.has(i) ? ctx.in(i) : null);
    const cache = (i: number, out: number, size: number) => {
      const cur = headLayout(ctx.in(i), Hkv);
      const dst = ctx.hasOut(out) ? ctx.out(out) : past(i + 3) ? ctx.temp(ctx.in(i).dtype, [B, Hkv, T, size], 'kv') : null;
      return dst ? emitConcatCache(ctx, past(i + 3), cur, dst) : cur;
    };
    const K = cache(1, 1, D), V = cache(2, 2, Dv);

    // computation precision: the inputs', or float64 when asked for
    const sp = ctx.hasAttr('softmax_precision') ? ctx.int('softmax_precision') : 0;
    const t: Scalar = Q.ref.t === 'f64' || sp === 11 ? 'f64' : 'f32';
    const scale = ctx.hasAttr('scale') ? ctx.float('scale') : 1 / Math.sqrt(D);
    const softcap = ctx.float('softcap'), causal = ctx.int('is_causal') !== 0, mode = ctx.int('qk_matmul_output_mode');
    const qkOut = ctx.hasOut(3) ? ctx.out(3) : null;
    const mask = ctx.has(3) ? ctx.in(3) : null;
    const nonpad = ctx.has(6) ? ctx.in(6) : null;
    const ninf = lit(-Infinity, t);

    // mask strides against [B, Hq, Sq, Tm] (right-aligned broadcasting); Tm may be shorter than T
    const mr = mask ? mask.shape.length : 0;
    const full = mask ? [B, Hq, Sq, mask.shape[mr - 1]].slice(4 - mr) : [];
    const mStr = mask ? full.map((n, a) => (mask.shape[a] === 1 ? 0 : mask.strides[a])) : [];
    const Tm = mask ? mask.shape[mr - 1] : T;
    if (mask && (mr < 1 || mr > 4 || Tm > T || full.some((n, a) => a < mr - 1 && mask.shape[a] !== 1 && mask.shape[a] !== n))) throw ctx.error(`attn_mask of shape [${mask.shape.join(',')}] does not broadcast to [${B},${Hq},${Sq},${T}]`);

    const S = ctx.temp(tempDtype(t), [Sq, T], 'scores');
    ctx.nest([B, Hkv, G], ([b, hk, g]) => {
      const h = add(mul(hk, G), g);
      const kvRow = (l: HeadLayout): MatView => ({ ref: l.ref, off: rowOff(l, b, hk, 0), rs: l.s, cs: 1 });
      const q: MatView = { ref: Q.ref, off: rowOff(Q, b, h, 0), rs: Q.s, cs: 1 };
      const k = kvRow(K);
      // scores = softcap(scale · Q Kᵀ)
      emitGemm(ctx, {
        M: Sq, N: T, K: D, a: q, b: { ...k, rs: 1, cs: k.rs }, y: { ref: S, rs: T, cs: 1 },
        epilogue: (acc) => {
          const x = mul(acc, as(scale, t));
          return softcap > 0 ? mul(un('tanh', div(x, as(softcap, t))), as(softcap, t)) : x;
        },
      });
      // causal frontier: key j is visible to query i iff j <= i + offset
      const valid = nonpad ? ctx.local(cast(ctx.load(nonpad, b), 'idx'), 'nonpad') : null;
      const offset = valid && !ctx.has(4) ? sub(valid, Sq) : as(P, 'idx');
      const qkAt = (i: Expr, j: Expr) => add(add(mul(b, Hq * Sq * T), mul(h, Sq * T)), add(mul(i, T), j));
      ctx.loop(Sq, (i) => {
        const at = (j: Expr) => add(mul(i, T), j);
        const rowMax = ctx.local(ninf, 'rmax'), biasMax = ctx.local(ninf, 'bmax');
        ctx.loop(T, (j) => {
          let bias: Expr = lit(0, t);
          if (mask) {
            const m = ctx.load(mask, add(linearIndex([b, h, i].slice(4 - mr), mStr.slice(0, -1)), j));
            const mv = mask.dtype === 'bool' ? select(m, lit(0, t), ninf) : cast(m, t);
            bias = Tm < T ? select(cmp('lt', j, Tm), mv, ninf) : mv;
          }
          if (causal) bias = add(bias, select(cmp('le', j, add(i, offset)), lit(0, t), ninf));
          if (valid) bias = add(bias, select(cmp('lt', j, valid), lit(0, t), ninf));
          const bv = ctx.local(bias, 'bias');
          const x = ctx.local(ctx.load(S, at(j)), 'x');
          if (qkOut && mode <= 1) ctx.store(qkOut, qkAt(i, j), cast(x, qkOut.t));
          ctx.assign(x, add(x, bv));
          if (qkOut && mode === 2) ctx.store(qkOut, qkAt(i, j), cast(x, qkOut.t));
          ctx.store(S, at(j), x);
          ctx.assign(rowMax, max(rowMax, x));
          ctx.assign(biasMax, max(biasMax, bv));
        }, { name: 'j' });
        // softmax; a row whose bias is all -inf (no key allowed) becomes all zeros
        ctx.if(cmp('eq', rowMax, ninf), () => ctx.assign(rowMax, lit(0, t)));
        const sum = ctx.local(lit(0, t), 'sum');
        ctx.loop(T, (j) => {
          const e = ctx.local(un('exp', sub(ctx.load(S, at(j)), rowMax)), 'e');
          ctx.store(S, at(j), e);
          ctx.assign(sum, add(sum, e));
        }, { name: 'j' });
        ctx.if(cmp('eq', sum, 0), () => ctx.assign(sum, lit(1, t)));
        const masked = ctx.local(cmp('eq', biasMax, ninf), 'masked');
        ctx.loop(T, (j) => {
          const p = select(masked, lit(0, t), div(ctx.load(S, at(j)), sum));
          ctx.store(S, at(j), p);
          if (qkOut && mode === 3) ctx.store(qkOut, qkAt(i, j), cast(ctx.load(S, at(j)), qkOut.t));
        }, { name: 'j' });
      }, { name: 'i' });
      // Y = P · V
      emitGemm(ctx, { M: Sq, N: Dv, K: T, a: { ref: S, rs: T, cs: 1 }, b: kvRow(V), y: { ref: Y.ref, off: rowOff(Y, b, h, 0), rs: Y.s, cs: 1 } });
    });
  },
};

/** Rotates pairs (x1, x2) of each head by the cached angle of the token's position. */
const rotaryDef: OpDef = {
  op: 'RotaryEmbedding',
  attrs: { interleaved: int(0), num_heads: int(0), rotary_embedding_dim: int(0) },
  infer: (ctx) => {
    const r = ctx.rank(0);
    if (r !== 3 && r !== 4) throw ctx.error(`input must be 3-D or 4-D, got rank ${r}`);
    if (r === 3 && !ctx.int('num_heads')) throw ctx.error('3-D input needs the num_heads attribute');
    if (!isFloat(ctx.dtype(0))) throw ctx.error(`input type ${ctx.dtype(0)} is not a float type`);
    return [tt(ctx.dtype(0), ctx.shape(0))];
  },
  lower: (ctx) => {
    const X = ctx.in(0), Y = ctx.out(0), cos = ctx.in(1), sin = ctx.in(2);
    const pos = ctx.has(3) ? ctx.in(3) : null;
    const L = headLayout(X, X.shape.length === 4 ? X.shape[1] : ctx.int('num_heads'));
    const O = headLayout(Y, L.heads);
    const B = X.shape[0], rd = ctx.int('rotary_embedding_dim') || L.size, half = rd >> 1;
    if (rd % 2 || rd > L.size) throw ctx.error(`rotary_embedding_dim ${rd} must be even and at most the head size ${L.size}`);
    if (cos.shape[cos.shape.length - 1] !== half) throw ctx.error(`cos_cache's last dimension must be ${half}`);
    const inter = ctx.int('interleaved') !== 0;
    ctx.nest([B, L.seq], ([b, s]) => {
      // row of the caches: position_ids[b, s], or [b, s] of 3-D caches
      const row = pos ? ctx.local(mul(cast(ctx.load(pos, add(mul(b, L.seq), s)), 'idx'), half), 'row') : add(mul(b, L.seq * half), mul(s, half));
      ctx.loop(L.heads, (h) => {
        const xi = ctx.local(rowOff(L, b, h, s), 'xi'), yi = ctx.local(rowOff(O, b, h, s), 'yi');
        ctx.loop(half, (k) => {
          const c = ctx.local(ctx.load(cos, add(row, k)), 'c'), sn = ctx.local(ctx.load(sin, add(row, k)), 's');
          const [i1, i2] = inter ? [mul(k, 2), add(mul(k, 2), 1)] : [k, add(k, half)];
          const x1 = ctx.local(ctx.load(X, add(xi, i1)), 'x'), x2 = ctx.local(ctx.load(X, add(xi, i2)), 'x');
          ctx.store(Y, add(yi, i1), sub(mul(c, x1), mul(sn, x2)));
          ctx.store(Y, add(yi, i2), add(mul(sn, x1), mul(c, x2)));
        }, { name: 'k' });
        if (rd < L.size) ctx.loop(L.size, (e) => ctx.store(Y, add(yi, e), ctx.load(X, add(xi, e))), { lo: rd, name: 'e' });
      }, { name: 'h' });
    });
  },
};

export const attentionOps: OpDef[] = [attentionDef, rotaryDef];
