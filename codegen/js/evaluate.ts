// Reference evaluation of one node: lower it to kernel IR over fresh buffers, render that as
// JavaScript and run it on the constant inputs. Ops with a direct `evaluate` use that instead.
import { DType } from '../../ir/dtype.js';
import { InferCtx, LowerCtx, tensorRef } from '../../ir/ctx.js';
import { Node, TensorType, isStatic } from '../../ir/graph.js';
import { Kernel, KBuf } from '../../ir/kernel.js';
import { OpDef } from '../../ir/opdef.js';
import { TensorData, numel, zeros } from '../../ir/tensor.js';
import { renderKernelJs } from './renderJs.js';
import { R } from './runtime.js';

type KernelFn = (...args: unknown[]) => number;
const cache = new Map<string, KernelFn>();

/** Compiles a kernel to a JS function taking (R, buffers in params order). */
export function compileKernelJs(k: Kernel): KernelFn {
  const src = renderKernelJs(k);
  const params = ['R', ...k.params.map((b) => `$b${b.id}`)];
  const key = params.join(',') + '\n' + src;
  let fn = cache.get(key);
  if (!fn) {
    fn = new Function(...params, src) as KernelFn;
    if (cache.size > 5000) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

/** Evaluates `node` on constant inputs whose types are `types`; outputs get `outTypes`. */
export function evaluateNode(node: Node, def: OpDef, types: (TensorType | null)[], inputs: (TensorData | undefined)[], outTypes: TensorType[]): TensorData[] {
  if (def.evaluate) return def.evaluate(new InferCtx(node, def, types, inputs, evaluateNode));
  let nextId = 0;
  const bufs: KBuf[] = [];
  const data = new Map<KBuf, TensorData>();
  const mk = (dtype: DType, size: number, name: string) => {
    const b: KBuf = { id: nextId++, name, dtype, size };
    bufs.push(b);
    return b;
  };
  const ins = inputs.map((t, i) => {
    if (!t) return null;
    const b = mk(t.dtype, numel(t.shape), `in${i}`);
    data.set(b, t);
    return tensorRef(b, t.shape);
  });
  const outBufs: KBuf[] = [];
  const outs = outTypes.map((t, i) => {
    if (!t || !isStatic(t.shape)) throw new Error('evaluateNode: output shape is not static');
    const b = mk(t.dtype, numel(t.shape), `out${i}`);
    data.set(b, zeros(t.dtype, t.shape));
    outBufs.push(b);
    return node.outputs[i] ? tensorRef(b, t.shape) : null;
  });
  const ctx = new LowerCtx(node, def, types, inputs, ins, outs, (dtype, size, name) => {
    const b = mk(dtype, size, name);
    data.set(b, zeros(dtype, [size]));
    return b;
  });
  def.lower!(ctx);
  const kernel: Kernel = { name: node.name, label: node.name, params: bufs, writes: new Set(), body: ctx.body };
  const fn = compileKernelJs(kernel);
  fn(R, ...bufs.map((b) => data.get(b)!.data));
  return outBufs.map((b) => data.get(b)!);
}
