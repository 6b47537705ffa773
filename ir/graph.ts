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
}

export interface Graph {
  name: string;
  inputs: Value[];
  outputs: Value[];
  nodes: Node[];
  /** Values visible from enclosing graphs (subgraphs only). */
  outer?: Map<string, Value>;
}

export interface Model {
  graph: Graph;
  opsets: Map<string, number>;
  irVersion: number;
  producer: string;
  /** Path of the source file, for messages and banners. */
  source: string;
}

/** "node 'conv1' (Conv)" — how errors and dumps name a node. */
export function nodeLabel(n: Node): string {
  const dom = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.` : '';
  return `node '${n.name}' (${dom}${n.op})`;
}

export function newValue(name: string, type: TensorType | null = null, producer: Node | null = null): Value {
  return { name, type, producer };
}

/** Nodes that consume each value, in graph order. */
export function consumers(g: Graph): Map<Value, Node[]> {
  const m = new Map<Value, Node[]>();
  for (const n of g.nodes) for (const v of n.inputs) if (v) {
    let l = m.get(v);
    if (!l) m.set(v, (l = []));
    l.push(n);
  }
  return m;
}

export const isStatic = (s: Dim[]): s is number[] => s.every((d) => typeof d === 'number');
