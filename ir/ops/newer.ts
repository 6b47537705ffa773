// Ops of the newest opsets (26–28) and ai.onnx.preview: BitCast, CumProd, SwiGLU,
// CausalConvWithState, LinearAttention, FlexAttention. NonMaxSuppression lives in nms.ts.
import { DType, dtypeFromOnnx, dtypeInfo, isConverted, isFloat } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { Dim, Value } from '../graph.js';
import { add, bitcast, cast, div, lit, mul, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, graph, int, str } from '../opdef.js';
import { captureBindings, inferSubgraph, lowerSubgraph } from '../subgraph.js';
import { axisView } from './reduction.js';
import { emitElementwise, tt } from './common.js';
import { emitGemm, tempDtype } from './gemm.js';
import { cumulativeDef, emitSoftmax } from './softmax.js';

const sigmoid = (x: Expr) => div(1, add(1, un('exp', un('neg', x))));

/** BitCast: the same bits under another type of the same width. */
const bitCastDef: OpDef = {
  op: 'BitCast', attrs: { to: int() },
  infer: (ctx) => {
    const from = ctx.dtype(0), to = dtypeFromOnnx(ctx.int('to'));
    if (!to || to === 'string' || from === 'string') throw ctx.error(`BitCast from ${from} to type ${ctx.int('to')} is not supported`);
    if (dtypeInfo(from).bits !== dtypeInfo(to).bits) throw ctx.error(`${from} and ${to} differ in width`);
    // narrow floats and sub-byte types are stored converted: their bit patterns are not the loaded values
    for (const d of [from, to]) if (isConverted(d) && from !== to) throw ctx.error(`BitCast of ${d} is not supported`);
    return [tt(to, ctx.shape(0))];
  },
  lower: (ctx) => emitElementwise(ctx, [ctx.in(0)], ctx.out(0), ([x]) => bitcast(x, ctx.out(0).t)),
};

/** CumProd: CumSum's twin with a product. */
const cumProdDef = cumulativeDef('CumProd', 1, mul);

/** SwiGLU: Swish_alpha(A) · B, same shapes, no broadcasting. */
const swigluDef: OpDef = {
  op: 'SwiGLU', attrs: { alpha: float(1) }, inplace: [0, 1],
  infer: (ctx) => {
    if (ctx.shape(0).join() !== ctx.shape(1).join()) throw ctx.error(`A [${ctx.shape(0).join(',')}] and B [${ctx.shape(1).join(',')}] must have the same shape`);
    return [tt(ctx.dtype(0), ctx.shape(0))];
  },
  lower: (ctx) => emitElementwise(ctx, [ctx.in(0), ctx.in(1)], ctx.out(0),
    ([a, b]) => mul(mul(a, sigmoid(mul(a, ctx.float('alpha')))), b)),
};

/**
 * CausalConvWithState: depthwise 1-D convolution over past_state (or zeros) ++ input, with
 * optional bias and SiLU; present_state is the last k-1 positions of that padded sequence.
 */
const causalConvDef: OpDef = {
  op: 'CausalConvWithState', attrs: { activation: str('none') },
  infer: (ctx) => {
    const x = ctx.shape(0), w = ctx.shape(1), k = w[2];
    if (x.length !== 3 || w.length !== 3) throw ctx.error('input and weight must be rank 3');
    if (!['none', 'silu', 'swish'].includes(ctx.str('activation'))) throw ctx.error(`unsupported activation '${ctx.str('activation')}'`);
    if (typeof k !== 'number') throw ctx.error('the kernel size must be static');
    if (ctx.has(3) && ctx.shape(3)[2] !== k - 1) throw ctx.error(`past_state must hold k - 1 = ${k - 1} positions`);
    return [tt(ctx.dtype(0), x), tt(ctx.dtype(0), [x[0], x[1], k - 1])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), w = ctx.in(1), y = ctx.out(0);
    const bias = ctx.has(2) ? ctx.in(2) : null, past = ctx.has(3) ? ctx.in(3) : null, present = ctx.hasOut(1) ? ctx.out(1) : null;
    const [B, C, L] = x.shape, K = w.shape[2], P = K - 1, t = y.t;
    const silu = ctx.str('activation') !== 'none';
    const padded = ctx.temp(tempDtype(t), [L + P], 'padded');
    ctx.nest([B, C], ([b, c]) => {
      const row = add(mul(b, C), c);
      ctx.loop(P, (p) => ctx.store(padded, p, past ? ctx.load(past, add(mul(row, P), p)) : lit(0, t)), { name: 'p' });
      ctx.loop(L, (l) => ctx.store(padded, add(l, P), ctx.load(x, add(mul(row, L), l))), { name: 'l' });
      ctx.loop(L, (l) => {
        const acc = ctx.local(bias ? ctx.load(bias, c) : lit(0, t), 'acc');
        ctx.loop(K, (j) => ctx.assign(acc, add(acc, mul(ctx.load(w, add(mul(c, K), j)), ctx.load(padded, add(l, j))))), { name: 'j' });
        ctx.store(y, add(mul(row, L), l), silu ? mul(acc, sigmoid(acc)) : acc);
      }, { name: 'l' });
      if (present) ctx.loop(P, (p) => ctx.store(present, add(mul(row, P), p), ctx.load(padded, add(p, L))), { name: 'p' });
    });
  },
};

const RULES = ['linear', 'gated', 'delta', 'gated_delta'];

interface LinDims { B: number; T: number; Hq: number; Hkv: number; dk: number; dv: number; gated: boolean; delta: boolean }

function linearDims(ctx: InferCtx): LinDims {
  const rule = ctx.str('update_rule');
  if (!RULES.includes(rule)) throw ctx.error(`unsupported update_rule '${rule}' (expected ${RULES.join(', ')})`);
  const gated = rule.startsWith('gated'), delta = rule.endsWith('delta');
  if (gated !== ctx.has(4)) throw ctx.error(`update_rule '${rule}' ${gated ? 'requires' : 'forbids'} the decay input`);
  if (delta !== ctx.has(5)) throw ctx.error(`update_rule '${rule}' ${delta ? 'requires' : 'forbids'} the beta input`);
  const q = ctx.cshape(0), k = ctx.cshape(1), v = ctx.cshape(2);
  if (q.length !== 3 || k.length !== 3 || v.length !== 3) throw ctx.error('query, key and value must be rank 3 (B, T, H*D)');
  const Hq = ctx.int('q_num_heads'), Hkv = ctx.int('kv_num_heads');
  if (Hq <= 0 || Hkv <= 0 || Hq % Hkv) throw ctx.error(`q_num_heads ${Hq} must be a positive multiple of kv_num_heads ${Hkv}`);
  if (q[2] % Hq || k[2] % Hkv || v[2] % Hkv) throw ctx.error('hidden sizes must be multiples of the head counts');
  const d: LinDims = { B: q[0], T: q[1], Hq, Hkv, dk: q[2] / Hq, dv: v[2] / Hkv, gated, delta };
  if (k[2] / Hkv !== d.dk) throw ctx.error('query and key head sizes differ');
  if (gated && ![Hkv, Hkv * d.dk].includes(ctx.cshape(4)[2])) throw ctx.error(`decay's last dimension must be ${Hkv} or ${Hkv * d.dk}`);
  if (delta && ![Hkv, 1].includes(ctx.cshape(5)[2])) throw ctx.error(`beta's last dimension must be ${Hkv} or 1`);
  return d;
}

/**
 * LinearAttention: per batch and KV head, a float state S (d_k × d_v) updated token by token
 * (decay S by exp(g), delta-correct v against Sᵀk, add k ⊗ v), read by each query head of the
 * group as scale · qᵀS.
 */
const linearAttentionDef: OpDef = {
  op: 'LinearAttention',
  attrs: { chunk_size: int(64), kv_num_heads: int(), q_num_heads: int(), scale: float(0), update_rule: str('gated_delta') },
  infer: (ctx) => {
    const { B, T, Hq, Hkv, dk, dv } = linearDims(ctx);
    const sd = ctx.has(3) ? ctx.dtype(3) : ctx.dtype(0);
    if (ctx.has(3) && ctx.cshape(3).join() !== [B, Hkv, dk, dv].join()) throw ctx.error(`past_state must have shape [${B},${Hkv},${dk},${dv}]`);
    if (!isFloat(ctx.dtype(0))) throw ctx.error(`unsupported input type ${ctx.dtype(0)}`);
    return [tt(ctx.dtype(0), [B, T, Hq * dv]), tt(sd, [B, Hkv, dk, dv])];
  },
  lower: (ctx) => {
    const { B, T, Hq, Hkv, dk, dv, gated, delta } = linearDims(ctx);
    const q = ctx.in(0), k = ctx.in(1), v = ctx.in(2), y = ctx.out(0), G = Hq / Hkv;
    const past = ctx.has(3) ? ctx.in(3) : null, decay = gated ? ctx.in(4) : null, beta = delta ? ctx.in(5) : null;
    const scale = ctx.float('scale') || 1 / Math.sqrt(dk);
    const S = ctx.temp('float32', [dk, dv], 'state'), u = delta ? ctx.temp('float32', [dv], 'u') : null;
    const f = (e: Expr) => cast(e, 'f32');
    const perDim = decay ? decay.shape[2] === Hkv * dk : false, betaHeads = beta ? beta.shape[2] : 0;
    ctx.nest([B, Hkv], ([b, hk]) => {
      const stateAt = mul(add(mul(b, Hkv), hk), dk * dv);
      ctx.loop(dk * dv, (e) => ctx.store(S, e, past ? f(ctx.load(past, add(stateAt, e))) : lit(0, 'f32')), { name: 'e' });
      ctx.loop(T, (t) => {
        const bt = add(mul(b, T), t);
        const kRow = ctx.local(add(mul(bt, Hkv * dk), mul(hk, dk)), 'krow'), vRow = ctx.local(add(mul(bt, Hkv * dv), mul(hk, dv)), 'vrow');
        const row = (d: Expr) => mul(d, dv);
        if (decay) ctx.loop(dk, (d) => {
          const g = ctx.local(un('exp', f(ctx.load(decay, perDim ? add(kRow, d) : add(mul(bt, Hkv), hk)))), 'g');
          ctx.loop(dv, (m) => ctx.store(S, add(row(d), m), mul(ctx.load(S, add(row(d), m)), g)), { name: 'm' });
        }, { name: 'd' });
        // the value written: v, or β·(v − Sᵀk) with the retrieved Sᵀk computed into u
        let val = (m: Expr) => f(ctx.load(v, add(vRow, m)));
        if (u && beta) {
          emitGemm(ctx, { M: 1, N: dv, K: dk, a: { ref: k, off: kRow, rs: 0, cs: 1 }, b: { ref: S, rs: dv, cs: 1 }, y: { ref: u, rs: 0, cs: 1 } });
          const bv = ctx.local(f(ctx.load(beta, betaHeads === 1 ? bt : add(mul(bt, Hkv), hk))), 'beta');
          ctx.loop(dv, (m) => ctx.store(u, m, mul(bv, sub(val(m), ctx.load(u, m)))), { name: 'm' });
          val = (m) => ctx.load(u, m);
        }
        ctx.loop(dk, (d) => {
          const kd = ctx.local(f(ctx.load(k, add(kRow, d))), 'kd');
          ctx.loop(dv, (m) => ctx.store(S, add(row(d), m), add(ctx.load(S, add(row(d), m)), mul(kd, val(m)))), { name: 'm' });
        }, { name: 'd' });
        // each query head of the group reads the updated state
        ctx.loop(G, (g) => {
          const h = add(mul(hk, G), g);
          emitGemm(ctx, {
            M: 1, N: dv, K: dk,
            a: { ref: q, off: add(mul(bt, Hq * dk), mul(h, dk)), rs: 0, cs: 1 }, b: { ref: S, rs: dv, cs: 1 },
            y: { ref: y, off: add(mul(bt, Hq * dv), mul(h, dv)), rs: 0, cs: 1 },
            epilogue: (acc) => mul(acc, scale),
          });
        }, { name: 'g' });
      }, { name: 't' });
      if (ctx.hasOut(1)) ctx.loop(dk * dv, (e) => ctx.store(ctx.out(1), add(stateAt, e), ctx.load(S, e)), { name: 'e' });
    });
  },
};

/* ai.onnx.preview FlexAttention: Y = prob_mod(softmax(score_mod(scale · Q Kᵀ))) · V with GQA, where
   the modifiers are subgraphs lowered inline into the same kernel (ir/subgraph.ts). */
const MODS = ['score_mod', 'prob_mod'];

/** Element type of scores and probabilities: softmax_precision, else float32 (float64 for double inputs). */
function softmaxType(ctx: InferCtx): DType {
  if (!ctx.hasAttr('softmax_precision')) return ctx.dtype(0) === 'float64' ? 'float64' : 'float32';
  const d = dtypeFromOnnx(ctx.int('softmax_precision'));
  if (d !== 'float32' && d !== 'float64') throw ctx.error(`softmax_precision ${ctx.int('softmax_precision')} is not supported (float or double)`);
  return d;
}

/** Applies a modifier subgraph (if present) to the [B, Hq, L, S] tensor x; returns the result. */
function applyMod(ctx: LowerCtx, name: string, x: TensorRef, bind: Map<Value, TensorRef>): TensorRef {
  if (!ctx.hasAttr(name)) return x;
  const g = ctx.graphAttr(name);
  return lowerSubgraph(ctx, g, new Map([...bind, [g.inputs[0], x]]))[0];
}

const flexAttentionDef: OpDef = {
  op: 'FlexAttention', domain: 'ai.onnx.preview',
  attrs: { scale: float(), score_mod: graph(), prob_mod: graph(), softmax_precision: int() },
  infer: (ctx) => {
    const [q, k, v] = [0, 1, 2].map((i) => ctx.shape(i));
    if (q.length !== 4 || k.length !== 4 || v.length !== 4) throw ctx.error('Q, K and V must be rank 4');
    if (typeof q[1] !== 'number' || typeof k[1] !== 'number' || q[1] % k[1]) throw ctx.error('q_num_heads must be a static multiple of kv_num_heads');
    // the modifiers map (B, Hq, L, S) scores or probabilities to the same shape and type
    const st = { dtype: softmaxType(ctx), shape: [q[0], q[1], q[2], k[2]] as Dim[] };
    for (const m of MODS) if (ctx.hasAttr(m)) {
      const out = inferSubgraph(ctx, ctx.graphAttr(m), [st]);
      if (out.length !== 1 || out[0].dtype !== st.dtype || out[0].shape.length !== 4) throw ctx.error(`${m} must return one rank-4 ${st.dtype} tensor`);
    }
    return [tt(ctx.dtype(2), [q[0], q[1], q[2], v[3]])];
  },
  lower: (ctx) => {
    const Q = ctx.in(0), K = ctx.in(1), V = ctx.in(2), Y = ctx.out(0);
    const [B, Hq, L, E] = Q.shape, [, Hkv, S] = K.shape, Ev = V.shape[3], G = Hq / Hkv;
    const st = softmaxType(ctx), bind = captureBindings(ctx);
    const scale = ctx.hasAttr('scale') ? ctx.float('scale') : 1 / Math.sqrt(E);
    let scores = ctx.temp(st, [B, Hq, L, S], 'scores');
    const head = (r: TensorRef, b: Expr, h: Expr) => add(mul(b, r.strides[0]), mul(h, r.strides[1]));
    ctx.nest([B, Hkv, G], ([b, hk, g]) => {
      const h = add(mul(hk, G), g);
      emitGemm(ctx, {
        M: L, N: S, K: E, a: { ref: Q, off: head(Q, b, h), rs: E, cs: 1 }, b: { ref: K, off: head(K, b, hk), rs: 1, cs: E },
        y: { ref: scores, off: head(scores, b, h), rs: S, cs: 1 }, epilogue: (acc) => mul(acc, scale),
      });
    });
    scores = applyMod(ctx, 'score_mod', scores, bind);
    let probs = ctx.temp(st, [B, Hq, L, S], 'probs');
    emitSoftmax(ctx, scores, probs, axisView(scores.shape, 3), false);
    probs = applyMod(ctx, 'prob_mod', probs, bind);
    ctx.nest([B, Hkv, G], ([b, hk, g]) => {
      const h = add(mul(hk, G), g);
      emitGemm(ctx, {
        M: L, N: Ev, K: S, a: { ref: probs, off: head(probs, b, h), rs: S, cs: 1 }, b: { ref: V, off: head(V, b, hk), rs: Ev, cs: 1 },
        y: { ref: Y, off: head(Y, b, h), rs: Ev, cs: 1 },
      });
    });
  },
};

export const newerOps: OpDef[] = [bitCastDef, cumProdDef, swigluDef, causalConvDef, linearAttentionDef, flexAttentionDef];

