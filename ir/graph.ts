// Typed tensor IR: values (dtype + possibly symbolic shape), nodes and graphs.
import type { DType } from './dtype.js';
import type { TensorData } from './tensor.js';

/** A dimension: a concrete size or a symbolic name (unknown dims get a fresh name). */
export type Dim = number | string;

export interface TensorType {
  dtype: DType;
  shape: Dim[];
}

export interface Value {
  name: string;
  /** Known after import (graph inputs/initializers) or after shape inference. */
  type: TensorType | null;
  /** Compile-time contents (initializers, folded constants, specialized inputs). */
  const?: TensorData;
  producer: Node | null;
  /** A sequence (ir/sequences.ts): no tensor type; `elems` once its elements are known. */
  sequence?: boolean;
  /** An optional (ir/optionals.ts): no tensor type; `elems` is [] (empty) or [its value]. */
  optional?: boolean;
  elems?: Value[];
  /** A small int64 tensor computed from shapes without a compile-time value: its elements as
   * dims (ir/shapeValues.ts), so that a Reshape can take its target from them. */
  shapeValue?: Dim[];
}

export type Attr =
  | { kind: 'float'; value: number }
  | { kind: 'int'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorData }
  | { kind: 'graph'; value: Graph }
  | { kind: 'floats'; value: number[] }
  | { kind: 'ints'; value: number[] }
  | { kind: 'strings'; value: string[] }
  | { kind: 'tensors'; value: TensorData[] }
  | { kind: 'graphs'; value: Graph[] }
  | { kind: 'type'; value: unknown };

export interface Node {
  name: string;
  op: string;
  domain: string;
  /** Opset version of the node's domain in effect. */
  opset: number;
  /** null for an omitted optional input (""). */
  inputs: (Value | null)[];
  /** null for an omitted optional output. */
  outputs: (Value | null)[];
  attrs: Map<string, Attr>;
  /** Runs only where every condition holds: a node of an If's branch moved into the graph around
   * it (passes/guardBranches.ts). A skipped node leaves its outputs unwritten and sets the
   * run-time dims it makes to 0; the If's results are then picked by an onnxc.IfMerge node. */
  guard?: Guard[];
}

/** One condition of a guarded node: the bool tensor `cond` is true (`when`) or false. */
export interface Guard { cond: Value; when: boolean }

export interface Graph {
  name: string;
  inputs: Value[];
  outputs: Value[];
  nodes: Node[];
  /** Values visible from enclosing graphs (subgraphs only). */
  outer?: Map<string, Value>;
  /** Types the model declares for outputs and value_info entries (checked against inference: ir/validate.ts). */
  declared?: Map<string, TensorType>;
}

export interface Model {
  graph: Graph;
  opsets: Map<string, number>;
  irVersion: number;
  producer: string;
  /** Path of the source file, for messages and banners. */
  source: string;
  /** Set where a graph output is a sequence: per output of the model as imported, the number of
   * outputs it became (its elements), or null for a tensor (passes/inferShapes.ts). */
  outputCounts?: (number | null)[];
  /** Set with outputCounts: per output of the model as imported, what it holds. */
  outputLayouts?: Layout[];
}

/** What a value holds where it is bound or returned: a tensor, a sequence of tensors, or an
 * optional (null: empty). Structured values are passed as their tensors in order (leaves). */
export type Layout = { tensor: TensorType } | { sequence: TensorType[] } | { optional: Layout | null };

/** A sequence or an optional: a list of values at compile time, no tensor type. */
export const isStructured = (v: Value | null | undefined): boolean => !!v && (!!v.sequence || !!v.optional);

/** The tensors a layout is passed as, in order. */
export function layoutLeaves(l: Layout): TensorType[] {
  if ('tensor' in l) return [l.tensor];
  if ('sequence' in l) return l.sequence;
  return l.optional ? layoutLeaves(l.optional) : [];
}

/** Names of the tensors a value of layout l named `name` is passed as: a sequence's NAME_0,
 * NAME_1…, a tensor's (an optional's) NAME. */
export function layoutLeafNames(name: string, l: Layout): string[] {
  if ('tensor' in l) return [name];
  if ('sequence' in l) return l.sequence.map((_, i) => `${name}_${i}`);
  return l.optional ? layoutLeafNames(name, l.optional) : [];
}

/** The tensor values a (typed) value is passed as: itself, or its elements' in order. */
export function leafValues(v: Value): Value[] {
  return isStructured(v) ? (v.elems ?? []).flatMap(leafValues) : [v];
}

/** The layout of a typed value (structured values need their elements known). */
export function layoutOf(v: Value): Layout {
  if (v.sequence) return { sequence: (v.elems ?? []).map((e) => e.type!) };
  if (v.optional) return { optional: v.elems?.length ? layoutOf(v.elems[0]) : null };
  return { tensor: v.type! };
}

/** "node 'conv1' (Conv)" — how errors and dumps name a node. */
export function nodeLabel(n: Node): string {
  const dom = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : '';
  return `node '${n.name}' (${dom}${n.op})`;
}

/** A value holding a compile-time tensor (folded or repacked weights). */
export function constValue(name: string, t: TensorData): Value {
  const v = newValue(name, { dtype: t.dtype, shape: t.shape });
  v.const = t;
  return v;
}

export function newValue(name: string, type: TensorType | null = null, producer: Node | null = null): Value {
  return { name, type, producer };
}

/** Nodes that consume each value, in graph order. */
export function consumers(g: Graph): Map<Value, Node[]> {
  const m = new Map<Value, Node[]>();
  // values read inside a node's subgraphs count as uses by that node
  for (const n of g.nodes) for (const v of nodeInputs(n)) if (v) {
    let l = m.get(v);
    if (!l) m.set(v, (l = []));
    l.push(n);
  }
  return m;
}

export const isStatic = (s: Dim[]): s is number[] => s.every((d) => typeof d === 'number');

/** Graphs held by a node's attributes (If's branches, Loop's and Scan's bodies). */
export function subgraphs(n: Node): Graph[] {
  const gs: Graph[] = [];
  for (const a of n.attrs.values()) {
    if (a.kind === 'graph') gs.push(a.value);
    else if (a.kind === 'graphs') gs.push(...a.value);
  }
  return gs;
}

/**
 * Values a node's subgraphs (at any depth) read without defining them — outer-scope values —
 * plus the compile-time constants they read (initializers and folded values of the bodies),
 * which the enclosing kernel receives as buffers. Empty for nodes without subgraphs.
 */
export function captures(n: Node): Value[] {
  const gs = subgraphs(n);
  if (!gs.length) return [];
  const defined = new Set<Value>();
  const walkDefs = (g: Graph) => {
    for (const v of g.inputs) defined.add(v);
    for (const m of g.nodes) {
      for (const v of m.outputs) if (v) defined.add(v);
      subgraphs(m).forEach(walkDefs);
    }
  };
  gs.forEach(walkDefs);
  const out: Value[] = [];
  const seen = new Set<Value>();
  const use = (v: Value | null) => {
    if (!v || seen.has(v) || (defined.has(v) && !v.const)) return;
    seen.add(v);
    out.push(v);
  };
  const walkUses = (g: Graph) => {
    for (const m of g.nodes) {
      m.inputs.forEach(use);
      subgraphs(m).forEach(walkUses);
    }
    g.outputs.forEach(use);
  };
  gs.forEach(walkUses);
  return out;
}

/** A node's inputs followed by the values its subgraphs capture (see captures) and the conditions
 * of its guard. */
export function nodeInputs(n: Node): (Value | null)[] {
  const c = captures(n), g = n.guard?.map((x) => x.cond) ?? [];
  return c.length || g.length ? [...n.inputs, ...c, ...g] : n.inputs;
}
