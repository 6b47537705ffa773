// The op registry: each ONNX op is defined once — attribute schema, type/shape inference,
// optional direct evaluation, and its lowering to kernel IR. Everything downstream (shape
// inference, constant folding, the reference evaluator, every backend) goes through here.
import { nodeError } from './errors.js';
import type { Node, TensorType } from './graph.js';
import type { InferCtx, LowerCtx } from './ctx.js';
import type { TensorData } from './tensor.js';

export type AttrType = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings' | 'tensor' | 'graph' | 'graphs';

export interface AttrSpec {
  type: AttrType;
  /** Default value; a function receives the node's opset. Absent: the attribute is required. */
  default?: unknown;
}

export interface OpDef {
  op: string;
  /** '' is the default ONNX domain. */
  domain?: string;
  attrs?: Record<string, AttrSpec>;
  /** Output types from input types, compile-time constants and attributes. */
  infer(ctx: InferCtx): TensorType[];
  /** Emits kernel IR computing the outputs (absent for pure alias ops). */
  lower?(ctx: LowerCtx): void;
  /** Output 0 is input 0's bytes under a new shape: no kernel, no copy. */
  alias?: boolean;
  /** Inputs whose storage output 0 may reuse in place (elementwise, same size). */
  inplace?: number[];
  /** Direct compile-time evaluation for shape-level ops; default: evaluate the lowering. */
  evaluate?(ctx: InferCtx): TensorData[];
  /** Inputs that must be known at compile time (shape operands), given the node. */
  constInputs?: number[] | ((node: Node) => number[]);
  /** Inputs whose compile-time values let the op fold (a run-time dim otherwise): `onnxc run`
   * and `test` specialize on them, as on constInputs, only for targets without run-time dims. */
  foldInputs?: number[];
  /** The lowering takes tensors with run-time dims (ir/rtdims.ts): it reads extents through
   * LowerCtx (dim, extents, count, offset) and sets the run-time dims of outputs it makes
   * (setDim). Other ops are refused such tensors with an error naming the node and the dim. */
  runtimeDims?: boolean;
  /** evaluate() needs only input types, not values (Shape, Size). */
  typeOnly?: boolean;
}

const registry = new Map<string, OpDef>();
const key = (domain: string, op: string) => `${domain === 'ai.onnx' ? '' : domain}::${op}`;

/** Adds op definitions to the registry (each op once). */
export function registerOps(defs: OpDef[]): void {
  for (const d of defs) {
    const k = key(d.domain ?? '', d.op);
    if (registry.has(k)) throw new Error(`op ${d.op} registered twice`);
    registry.set(k, d);
  }
}

export function getOp(domain: string, op: string): OpDef | undefined {
  return registry.get(key(domain, op));
}

/** Positions of node n's inputs that its op needs known at compile time (OpDef.constInputs). */
export function constInputsOf(n: Node): number[] {
  const c = getOp(n.domain, n.op)?.constInputs;
  return !c ? [] : typeof c === 'function' ? c(n) : c;
}

/** The registry entry for a node, or a one-line error naming node, op, domain and opset. */
export function opDefOf(n: Node): OpDef {
  const def = getOp(n.domain, n.op);
  if (!def) {
    const dom = n.domain || 'ai.onnx';
    throw nodeError(n, `op ${n.op} (domain '${dom}', opset ${n.opset}) is not supported by onnxc`);
  }
  return def;
}

export function allOps(): OpDef[] {
  return [...registry.values()];
}

// Attribute schema shorthands: attrs: { axis: int(1), mode: str('constant'), perm: ints() }
export const int = (d?: number | ((opset: number) => number)): AttrSpec => ({ type: 'int', default: d });
export const float = (d?: number): AttrSpec => ({ type: 'float', default: d });
export const str = (d?: string): AttrSpec => ({ type: 'string', default: d });
export const ints = (d?: number[]): AttrSpec => ({ type: 'ints', default: d });
export const floats = (d?: number[]): AttrSpec => ({ type: 'floats', default: d });
export const strs = (d?: string[]): AttrSpec => ({ type: 'strings', default: d });
export const tensor = (): AttrSpec => ({ type: 'tensor' });
export const graph = (): AttrSpec => ({ type: 'graph' });
