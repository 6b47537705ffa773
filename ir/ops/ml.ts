// ai.onnx.ml ops (Binarizer, ArrayFeatureExtractor, LabelEncoder, TreeEnsemble) and miscellaneous ones:
// Swish and TfIdfVectorizer (integer n-gram counting). TensorScatter lives in indexing.ts.
import { DType, Scalar, isFloat } from '../dtype.js';
import { InferCtx, LowerCtx, TensorRef } from '../ctx.js';
import { E, add, and, cast, cmp, div, ix, lit, max, min, mul, or, select, sub, un } from '../kbuild.js';
import { Expr } from '../kernel.js';
import { OpDef, float, floats, int, ints, str, strs, tensor } from '../opdef.js';
import { TensorData, toNumbers } from '../tensor.js';
import { emitElementwise, tt } from './common.js';
import { indexLocal } from './indexutil.js';

const ML = 'ai.onnx.ml';

/** A kernel-local table holding compile-time values (filled once per call). */
function table(ctx: LowerCtx, dtype: DType, vals: number[], name: string): TensorRef {
  const t = ctx.temp(dtype, [vals.length], name);
  vals.forEach((v, i) => ctx.store(t, ix(i), lit(v, t.t)));
  return t;
}

const swishDef: OpDef = {
  op: 'Swish', attrs: { alpha: float(1) }, inplace: [0],
  infer: (ctx) => [tt(ctx.dtype(0), ctx.shape(0))],
  lower: (ctx) => emitElementwise(ctx, [ctx.in(0)], ctx.out(0),
    ([x]) => div(x, add(1, un('exp', mul(x, -ctx.float('alpha')))))),
};

const binarizerDef: OpDef = {
  op: 'Binarizer', domain: ML, attrs: { threshold: float(0) }, inplace: [0],
  infer: (ctx) => [tt(ctx.dtype(0), ctx.shape(0))],
  lower: (ctx) => emitElementwise(ctx, [ctx.in(0)], ctx.out(0),
    ([x]) => select(cmp('gt', x, ctx.float('threshold')), 1, lit(0, x.t))),
};

/** Z[..., k] = X[..., Y[k]] (a 1-D X gives Z of shape [1, len(Y)]). */
const arrayFeatureExtractorDef: OpDef = {
  op: 'ArrayFeatureExtractor', domain: ML,
  infer: (ctx) => {
    const x = ctx.shape(0), k = ctx.shape(1).reduce((a: number, d) => (typeof d === 'number' && typeof a === 'number' ? a * d : NaN), 1);
    if (Number.isNaN(k)) throw ctx.error('the indices need a static shape');
    if (!x.length) throw ctx.error('X must have rank >= 1');
    return [tt(ctx.dtype(0), x.length === 1 ? [1, k] : [...x.slice(0, -1), k])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), y = ctx.in(1), z = ctx.out(0);
    const n = x.shape[x.shape.length - 1], k = z.shape[z.shape.length - 1], rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    ctx.loop(k, (j) => {
      const at = indexLocal(ctx, ctx.load(y, j), n);
      ctx.loop(rows, (r) => ctx.store(z, add(mul(r, k), j), ctx.load(x, add(mul(r, n), at))), { name: 'r' });
    }, { name: 'j' });
  },
};

/** Keys, values and default of a LabelEncoder as numbers, with the output dtype. */
function labelMap(ctx: InferCtx): { keys: number[]; vals: number[]; dflt: number; keyType: 'int' | 'float'; out: DType } {
  for (const a of ['keys_strings', 'values_strings', 'classes_strings'])
    if (ctx.hasAttr(a)) throw ctx.error(`${a}: string tensors are not supported by onnxc`);
  const fromTensor = (name: string): TensorData | null => (ctx.hasAttr(name) ? ctx.tensorAttr(name) : null);
  const kt = fromTensor('keys_tensor'), vt = fromTensor('values_tensor'), dt = fromTensor('default_tensor');
  let keys: number[], keyType: 'int' | 'float';
  if (kt) [keys, keyType] = [toNumbers(kt), isFloat(kt.dtype) ? 'float' : 'int'];
  else if (ctx.hasAttr('keys_int64s')) [keys, keyType] = [ctx.ints('keys_int64s'), 'int'];
  else if (ctx.hasAttr('keys_floats')) [keys, keyType] = [ctx.floats('keys_floats'), 'float'];
  else throw ctx.error('needs keys_int64s, keys_floats or keys_tensor');
  let vals: number[], out: DType, dflt: number;
  if (vt) [vals, out, dflt] = [toNumbers(vt), vt.dtype, dt ? toNumbers(dt)[0] : isFloat(vt.dtype) ? -0 : -1];
  else if (ctx.hasAttr('values_int64s')) [vals, out, dflt] = [ctx.ints('values_int64s'), 'int64', ctx.int('default_int64')];
  else if (ctx.hasAttr('values_floats')) [vals, out, dflt] = [ctx.floats('values_floats'), 'float32', ctx.float('default_float')];
  else throw ctx.error('needs values_int64s, values_floats or values_tensor');
  if (keys.length !== vals.length) throw ctx.error(`${keys.length} keys but ${vals.length} values`);
  if (dt && dt.dtype !== out) throw ctx.error(`default_tensor is ${dt.dtype}, the values ${out}`);
  return { keys, vals, dflt, keyType, out };
}

const labelEncoderDef: OpDef = {
  op: 'LabelEncoder', domain: ML,
  attrs: {
    keys_int64s: ints(), keys_floats: floats(), keys_strings: strs(), keys_tensor: tensor(),
    values_int64s: ints(), values_floats: floats(), values_strings: strs(), values_tensor: tensor(),
    default_int64: int(-1), default_float: float(-0), default_string: str('_Unused'), default_tensor: tensor(),
    classes_strings: strs(),
  },
  infer: (ctx) => {
    const { keyType, out } = labelMap(ctx);
    if (isFloat(ctx.dtype(0)) !== (keyType === 'float')) throw ctx.error(`input of type ${ctx.dtype(0)} does not match the ${keyType} keys`);
    return [tt(out, ctx.shape(0))];
  },
  lower: (ctx) => {
    const { keys, vals, dflt } = labelMap(ctx);
    const x = ctx.in(0), y = ctx.out(0);
    const kt = table(ctx, x.dtype, keys, 'keys'), vt = table(ctx, y.dtype, vals, 'vals');
    ctx.loop(y.shape.reduce((a, b) => a * b, 1), (i) => {
      const v = ctx.local(ctx.load(x, i), 'x'), r = ctx.local(lit(dflt, y.t), 'y');
      ctx.loop(keys.length, (k) => {
        const key = ctx.load(kt, k);
        const hit = isFloat(x.dtype) ? or(cmp('eq', v, key), and(un('isnan', v), un('isnan', key))) : cmp('eq', v, key);
        ctx.if(hit, () => { ctx.assign(r, ctx.load(vt, k)); ctx.break(); });
      }, { name: 'k' });
      ctx.store(y, i, r);
    });
  },
};

interface Grams { n: number; first: number; pool: number[][] }

/** The pool's n-grams of the sizes in [min_gram_length, max_gram_length], with their first id. */
function ngramPool(ctx: InferCtx): Grams[] {
  if (ctx.hasAttr('pool_strings')) throw ctx.error('pool_strings: string tensors are not supported by onnxc');
  const pool = ctx.ints('pool_int64s'), counts = ctx.ints('ngram_counts');
  const lo = ctx.int('min_gram_length'), hi = ctx.int('max_gram_length');
  if (lo < 1 || hi < lo) throw ctx.error(`invalid gram lengths [${lo}, ${hi}]`);
  counts.forEach((c, i) => {
    if (!(Number.isInteger(c) && c >= (counts[i - 1] ?? 0) && c <= pool.length))
      throw ctx.error(`ngram_counts must rise within the pool of ${pool.length}, got [${counts.slice(0, 8)}]`);
  });
  const out: Grams[] = [];
  let id = 0;
  counts.forEach((start, i) => {
    const n = i + 1, end = i + 1 < counts.length ? counts[i + 1] : pool.length;
    const k = Math.floor((end - start) / n);
    if (n >= lo && n <= hi && k > 0)
      out.push({ n, first: id, pool: Array.from({ length: k }, (_, e) => pool.slice(start + e * n, start + (e + 1) * n)) });
    id += k;
  });
  return out;
}

const tfIdfDef: OpDef = {
  op: 'TfIdfVectorizer',
  attrs: {
    max_gram_length: int(), min_gram_length: int(), max_skip_count: int(), mode: str(),
    ngram_counts: ints(), ngram_indexes: ints(), pool_int64s: ints([]), pool_strings: strs(), weights: floats([]),
  },
  infer: (ctx) => {
    const x = ctx.shape(0), size = Math.max(...ctx.ints('ngram_indexes')) + 1;
    if (x.length > 2) throw ctx.error(`input must have rank 1 or 2, got ${x.length}`);
    if (!['TF', 'IDF', 'TFIDF'].includes(ctx.str('mode'))) throw ctx.error(`unsupported mode '${ctx.str('mode')}'`);
    ngramPool(ctx);
    return [tt('float32', x.length === 2 ? [x[0], size] : [size])];
  },
  lower: (ctx) => {
    const x = ctx.in(0), y = ctx.out(0), grams = ngramPool(ctx);
    const [rows, C] = x.shape.length === 2 ? x.shape : [1, x.shape[0] ?? 1];
    const size = y.shape[y.shape.length - 1], indexes = ctx.ints('ngram_indexes'), maxSkip = ctx.int('max_skip_count');
    const mode = ctx.str('mode'), weights = ctx.floats('weights');
    ctx.loop(rows * size, (i) => ctx.store(y, i, lit(0, 'f32')));
    const xs: Scalar = x.t;
    for (const { n, first, pool } of grams) {
      const pt = table(ctx, x.dtype, pool.flat(), `pool${n}_`);
      const it = table(ctx, 'int64', pool.map((_, e) => indexes[first + e]), `index${n}_`);
      const count = (r: Expr, dist: Expr, span: number) => ctx.loop(sub(C, mul(dist, span)), (p) => ctx.loop(pool.length, (e) => {
        let hit: Expr | null = null;
        for (let m = 0; m < n; m++) {
          const c = cmp('eq', ctx.load(x, add(mul(r, C), add(p, mul(dist, m)))), cast(ctx.load(pt, add(mul(e, n), m)), xs));
          hit = hit ? and(hit, c) : c;
        }
        ctx.if(hit!, () => {
          const at = add(mul(r, size), cast(ctx.load(it, e), 'idx'));
          ctx.store(y, at, add(ctx.load(y, at), 1));
          ctx.break();
        });
      }, { name: 'e' }), { name: 'p' });
      // unigrams are counted once; longer grams at every skip distance 1 .. max_skip_count + 1
      ctx.loop(rows, (r) => {
        if (n === 1) count(r, lit(1, 'idx'), 0);
        else ctx.loop(maxSkip + 2, (dist) => count(r, dist, n - 1), { name: 'd', lo: 1 });
      }, { name: 'r' });
    }
    if (mode === 'TF' || (mode === 'TFIDF' && !weights.length)) return;
    const w = weights.length ? table(ctx, 'float32', weights, 'weights') : null;
    ctx.loop(rows, (r) => ctx.loop(size, (k) => {
      const at = add(mul(r, size), k), f = ctx.load(y, at), wk = w ? ctx.load(w, k) : lit(1, 'f32');
      ctx.store(y, at, mode === 'IDF' ? select(cmp('gt', f, 0), wk, lit(0, 'f32')) : mul(f, wk));
    }, { name: 'k' }), { name: 'r' });
  },
};

/** Split modes of TreeEnsemble nodes (ONNX enum order) as comparisons of x with the split. */
const TREE_MODES: ((x: Expr, v: Expr) => Expr)[] = [
  (x, v) => cmp('le', x, v), (x, v) => cmp('lt', x, v), (x, v) => cmp('ge', x, v),
  (x, v) => cmp('gt', x, v), (x, v) => cmp('eq', x, v), (x, v) => cmp('ne', x, v),
];
const MEMBER = 6;
const AGGREGATES = ['AVERAGE', 'SUM', 'MIN', 'MAX'];
const POST = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO'];

/**
 * TreeEnsemble (ai.onnx.ml 5): the trees are compile-time, so each becomes nested ifs per row
 * whose leaves accumulate their weight into the leaf's target.
 */
const treeEnsembleDef: OpDef = {
  op: 'TreeEnsemble', domain: ML,
  attrs: {
    aggregate_function: int(1), post_transform: int(0), n_targets: int(), tree_roots: ints(),
    leaf_targetids: ints(), leaf_weights: tensor(), membership_values: tensor(), nodes_featureids: ints(),
    nodes_splits: tensor(), nodes_hitrates: tensor(), nodes_modes: tensor(), nodes_truenodeids: ints(), nodes_falsenodeids: ints(),
    nodes_trueleafs: ints(), nodes_falseleafs: ints(), nodes_missing_value_tracks_true: ints([]),
  },
  infer: (ctx) => {
    const x = ctx.shape(0);
    if (x.length !== 2 || !isFloat(ctx.dtype(0))) throw ctx.error('X must be a 2-D float tensor');
    const agg = ctx.int('aggregate_function'), post = ctx.int('post_transform');
    if (!AGGREGATES[agg]) throw ctx.error(`unsupported aggregate_function ${agg}`);
    if (!POST[post]) throw ctx.error(`unsupported post_transform ${post}${post === 4 ? ' (PROBIT)' : ''}`);
    return [tt(ctx.dtype(0), [x[0], ctx.int('n_targets')])];
  },
  lower: (ctx) => {
    const X = ctx.in(0), Y = ctx.out(0), [rows, F] = X.shape, nt = Y.shape[1], t = Y.t;
    const modes = toNumbers(ctx.tensorAttr('nodes_modes')), splits = toNumbers(ctx.tensorAttr('nodes_splits'));
    const feat = ctx.ints('nodes_featureids'), tIds = ctx.ints('nodes_truenodeids'), fIds = ctx.ints('nodes_falsenodeids');
    const tLeaf = ctx.ints('nodes_trueleafs'), fLeaf = ctx.ints('nodes_falseleafs'), missing = ctx.ints('nodes_missing_value_tracks_true');
    const weights = toNumbers(ctx.tensorAttr('leaf_weights')), targets = ctx.ints('leaf_targetids'), roots = ctx.ints('tree_roots');
    const members = ctx.hasAttr('membership_values') ? toNumbers(ctx.tensorAttr('membership_values')) : [];
    const agg = AGGREGATES[ctx.int('aggregate_function')], post = POST[ctx.int('post_transform')];
    // the sets of MEMBER nodes: NaN-separated runs of membership_values, in visiting order
    const sets = new Map<number, number[]>();
    let next = 0;
    const setOf = (n: number): number[] => {
      let s = sets.get(n);
      if (!s) {
        s = [];
        while (next < members.length && !Number.isNaN(members[next])) s.push(members[next++]);
        if (next++ >= members.length) throw ctx.error(`membership_values has no set for node ${n}`);
        sets.set(n, s);
      }
      return s;
    };
    const extreme = agg === 'MIN' ? 1 : -1, big = t === 'f32' ? 3.4028234663852886e38 : Number.MAX_VALUE;
    ctx.loop(rows, (r) => {
      const at = (k: E) => add(mul(r, nt), k);
      ctx.loop(nt, (k) => ctx.store(Y, at(k), lit(agg === 'MIN' || agg === 'MAX' ? extreme * big : 0, t)), { name: 'k' });
      const leaf = (l: number) => {
        if (!(targets[l] >= 0 && targets[l] < nt)) throw ctx.error(`leaf ${l ?? '(none)'} has target ${targets[l] ?? '(none)'} outside [0, ${nt})`);
        const y = ctx.load(Y, at(targets[l])), w = lit(agg === 'AVERAGE' ? weights[l] / roots.length : weights[l], t);
        ctx.store(Y, at(targets[l]), agg === 'MIN' ? min(y, w) : agg === 'MAX' ? max(y, w) : add(y, w));
      };
      const node = (n: number, depth: number): void => {
        if (depth > 1000) throw ctx.error('tree too deep (a cycle?)');
        if (!(Number.isInteger(n) && n >= 0 && n < feat.length)) throw ctx.error(`a tree refers to node ${n ?? '(none)'}; there are ${feat.length}`);
        if (!(feat[n] >= 0 && feat[n] < F)) throw ctx.error(`node ${n} reads feature ${feat[n] ?? '(none)'} of ${F}`);
        const x = ctx.load(X, add(mul(r, F), feat[n]));
        let c = modes[n] === MEMBER ? setOf(n).map((v) => cmp('eq', x, lit(v, X.t))).reduce((a, b) => or(a, b), lit(0, 'bool'))
          : TREE_MODES[modes[n]]?.(x, lit(splits[n], X.t));
        if (!c) throw ctx.error(`node ${n} has unsupported mode ${modes[n]}`);
        if (missing[n]) c = or(c, un('isnan', x));
        ctx.if(c, () => (tLeaf[n] ? leaf(tIds[n]) : node(tIds[n], depth + 1)), () => (fLeaf[n] ? leaf(fIds[n]) : node(fIds[n], depth + 1)));
      };
      for (const root of roots) {
        if (tLeaf[root] && fLeaf[root] && tIds[root] === fIds[root]) leaf(root); // a tree that is a single leaf
        else node(root, 0);
      }
      if (post === 'LOGISTIC') ctx.loop(nt, (k) => ctx.store(Y, at(k), div(1, add(1, un('exp', un('neg', ctx.load(Y, at(k))))))), { name: 'k' });
      if (post === 'SOFTMAX' || post === 'SOFTMAX_ZERO') {
        // softmax over the targets (SOFTMAX_ZERO leaves zeros at zero)
        const m = ctx.local(ctx.load(Y, at(0)), 'm'), sum = ctx.local(lit(0, t), 'sum');
        ctx.loop(nt, (k) => ctx.assign(m, max(m, ctx.load(Y, at(k)))), { name: 'k' });
        const e = (k: Expr) => {
          const y = ctx.load(Y, at(k)), ex = un('exp', sub(y, m));
          return post === 'SOFTMAX' ? ex : select(cmp('eq', y, 0), lit(0, t), ex);
        };
        ctx.loop(nt, (k) => { ctx.store(Y, at(k), e(k)); ctx.assign(sum, add(sum, ctx.load(Y, at(k)))); }, { name: 'k' });
        ctx.loop(nt, (k) => ctx.store(Y, at(k), div(ctx.load(Y, at(k)), sum)), { name: 'k' });
      }
    }, { name: 'r' });
  },
};

export const mlOps: OpDef[] = [swishDef, binarizerDef, arrayFeatureExtractorDef, labelEncoderDef, tfIdfDef, treeEnsembleDef];
