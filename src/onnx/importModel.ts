// ONNX import: ModelProto bytes → typed tensor IR (Model/Graph), with model-local functions
// inlined, initializers as constants, subgraphs resolved against their enclosing scope.
import { dtypeFromOnnx, dtypeInfo } from '../../ir/dtype.js';
import { CompileError } from '../../ir/errors.js';
import { Attr, Dim, Graph, Model, Node, TensorType, Value, newValue } from '../../ir/graph.js';
import { attrKind } from './attrProto.js';
import { ModelProto, PAttr, PFunction, PGraph, PModel, PNode, PType, int64Num } from './schema.js';
import { ExternalData, decodeTensor } from './tensorProto.js';
import { inlineFunctions } from './inlineFunctions.js';
import { validateGraph } from '../../ir/validate.js';

const utf8 = new TextDecoder();

/** Newest opset of the default domain that onnxc knows. */
export const MAX_OPSET = 28;

interface Ctx {
  external?: ExternalData;
  opsets: Map<string, number>;
  unknownDims: number;
}

/** Imports a serialized ModelProto. `source` names it in messages; `external` reads external
 * data (loadModel passes one that reads beside the file; without it external data is an error). */
export function importModel(bytes: Uint8Array, source: string, external?: ExternalData): Model {
  if (bytes.length === 0) throw new CompileError(`'${source}' is empty, not an ONNX model`);
  let pm: PModel;
  try {
    pm = ModelProto.decode(bytes) as unknown as PModel;
  } catch (e) {
    throw new CompileError(`'${source}' is not a valid ONNX model (${(e as Error).message.split('\n')[0]})`);
  }
  if (!pm.graph) throw new CompileError(`'${source}' is not a valid ONNX model (no graph)`);
  const opsets = new Map<string, number>();
  for (const o of pm.opset_import ?? []) opsets.set(o.domain === 'ai.onnx' ? '' : o.domain ?? '', int64Num(o.version));
  checkOpsets(opsets, source);
  const ctx: Ctx = { external, opsets, unknownDims: 0 };
  const pg = inlineFunctions(pm.graph, (pm.functions ?? []) as PFunction[], opsets);
  const graph = importGraph(pg, ctx, undefined);
  validateGraph(graph);
  return {
    graph, opsets, irVersion: int64Num(pm.ir_version),
    producer: [pm.producer_name, pm.producer_version].filter(Boolean).join(' '), source,
  };
}

/** Newest opset onnxc knows per domain (others: any version from 1). */
const KNOWN_OPSETS: Record<string, number> = { '': MAX_OPSET, 'ai.onnx.ml': 5 };

/** The opset imports must be present and name known versions (ONNX has no opset 0). */
function checkOpsets(opsets: Map<string, number>, source: string): void {
  if (opsets.size === 0) throw new CompileError(`'${source}' imports no opset (opset_import is empty); an ONNX model must name the opset of each domain it uses`);
  for (const [d, v] of opsets) {
    const dom = d || 'ai.onnx';
    if (!Number.isInteger(v) || v < 1) throw new CompileError(`model imports opset ${v} of domain '${dom}'; opset versions start at 1`);
    const max = KNOWN_OPSETS[d];
    if (max !== undefined && v > max) throw new CompileError(`model imports opset ${v} of ${d ? `domain '${dom}'` : 'the default domain'}; onnxc supports up to ${max}`);
  }
}

function importType(t: PType | undefined, ctx: Ctx, what: string): TensorType | null {
  if (!t) return null;
  // a TypeProto with no field set says nothing (exporters write them for If branch outputs)
  if (!t.tensor_type && !t.sequence_type && !t.map_type && !t.optional_type && !t.sparse_tensor_type) return null;
  if (!t.tensor_type) {
    const kind = t.sequence_type ? 'sequence' : t.map_type ? 'map' : t.optional_type ? 'optional' : t.sparse_tensor_type ? 'sparse tensor' : 'unknown';
    throw new CompileError(`${what}: ${kind} values are not supported (tensors only)`);
  }
  const dtype = dtypeFromOnnx(t.tensor_type.elem_type ?? 0);
  if (!dtype) throw new CompileError(`${what}: unknown element type ${t.tensor_type.elem_type}`);
  if (dtypeInfo(dtype).bits === 0) throw new CompileError(`${what}: element type ${dtype} is not supported`);
  if (!t.tensor_type.shape) return { dtype, shape: null as unknown as Dim[] };
  const shape: Dim[] = (t.tensor_type.shape.dim ?? []).map((d) => {
    // protobufjs exposes defaults on the prototype: the oneof discriminator tells what was set
    if ((d as { value?: string }).value === 'dim_value') {
      const n = int64Num(d.dim_value);
      if (n < 0) throw new CompileError(`${what}: negative dimension ${n}`);
      return n;
    }
    // '<=' marks onnxc's run-time dims (ir/rtdims.ts): a model's name may not say it
    if (d.dim_param?.includes('<=')) throw new CompileError(`${what}: dimension name '${d.dim_param}' contains '<=', which onnxc keeps for run-time dimensions; rename it`);
    return d.dim_param || `unk__${ctx.unknownDims++}`;
  });
  return { dtype, shape };
}

/** A sequence of tensors (ir/sequences.ts keeps those of known length as lists). */
function isTensorSequence(t: PType | undefined): boolean {
  return !!t?.sequence_type && !t.sequence_type.elem_type?.sequence_type && !t.sequence_type.elem_type?.map_type && !t.sequence_type.elem_type?.optional_type;
}

/** An optional of a tensor or of a sequence of tensors (ir/optionals.ts). */
function isOptional(t: PType | undefined): boolean {
  const e = t?.optional_type?.elem_type;
  return !!e && (!!e.tensor_type || isTensorSequence(e));
}

/** Marks a value declared a sequence or an optional; whether it was. */
function markStructured(v: Value, t: PType | undefined): boolean {
  if (isTensorSequence(t)) v.sequence = true;
  else if (isOptional(t)) v.optional = true;
  else return false;
  return true;
}

/** Attribute type; models from before IR version 2 may omit it, so infer it from the field set. */
function attrType(a: PAttr): number {
  if (a.type) return a.type;
  const has = (k: string) => Object.prototype.hasOwnProperty.call(a, k);
  const nonEmpty = (k: keyof PAttr) => Array.isArray(a[k]) && (a[k] as unknown[]).length > 0;
  if (has('f')) return 1;
  if (has('i')) return 2;
  if (has('s')) return 3;
  if (has('t')) return 4;
  if (has('g')) return 5;
  if (nonEmpty('floats')) return 6;
  if (nonEmpty('ints')) return 7;
  if (nonEmpty('strings')) return 8;
  if (nonEmpty('tensors')) return 9;
  if (nonEmpty('graphs')) return 10;
  return 0;
}

function importAttr(a: PAttr, ctx: Ctx, scope: Map<string, Value>, what: string): Attr {
  const type = attrType(a);
  // protobufjs gives an unset bytes field as its prototype's default, a plain empty array
  const str = (b: Uint8Array) => utf8.decode(b instanceof Uint8Array ? b : Uint8Array.from(b ?? []));
  const present = <T>(x: T | undefined | null, field: string): T => {
    if (x === undefined || x === null) throw new CompileError(`${what}: attribute '${a.name}' is declared ${attrKind(type) ?? type} but its '${field}' field is missing`);
    return x;
  };
  switch (type) {
    case 1: return { kind: 'float', value: a.f ?? 0 };
    case 2: return { kind: 'int', value: int64Num(a.i) };
    case 3: return { kind: 'string', value: str(a.s ?? new Uint8Array()) };
    case 4: return { kind: 'tensor', value: decodeTensor(present(a.t, 't'), ctx.external) };
    case 5: return { kind: 'graph', value: importGraph(present(a.g, 'g'), ctx, scope) };
    case 6: return { kind: 'floats', value: [...(a.floats ?? [])] };
    case 7: return { kind: 'ints', value: (a.ints ?? []).map(int64Num) };
    case 8: return { kind: 'strings', value: (a.strings ?? []).map(str) };
    case 9: return { kind: 'tensors', value: (a.tensors ?? []).map((t) => decodeTensor(t, ctx.external)) };
    case 10: return { kind: 'graphs', value: (a.graphs ?? []).map((g) => importGraph(g, ctx, scope)) };
    case 13: case 14: return { kind: 'type', value: a.tp };
    default: throw new CompileError(`${what}: attribute '${a.name}' has unsupported type ${type}`);
  }
}

/** Imports a graph; `outer` holds the enclosing scope's values for subgraphs. */
function importGraph(pg: PGraph, ctx: Ctx, outer: Map<string, Value> | undefined): Graph {
  const gname = pg.name || 'main';
  const scope = new Map<string, Value>(outer ?? []);
  const inits = new Set<string>();
  const defined = new Set<string>();
  const define = (name: string, what: string) => {
    if (defined.has(name)) throw new CompileError(`graph '${gname}': value '${name}' is assigned twice, the second time as ${what} (an ONNX value has one producer)`);
    defined.add(name);
  };
  for (const t of pg.initializer ?? []) {
    const name = t.name ?? '';
    define(name, 'an initializer');
    const data = decodeTensor(t, ctx.external);
    const v = newValue(name, { dtype: data.dtype, shape: data.shape });
    v.const = data;
    scope.set(name, v);
    inits.add(name);
  }
  if ((pg.sparse_initializer ?? []).length) throw new CompileError(`graph '${gname}': sparse initializers are not supported`);
  const inputs: Value[] = [];
  for (const vi of pg.input ?? []) {
    const name = vi.name ?? '';
    if (inits.has(name)) continue; // an initializer shadowing an input: a constant with a default
    define(name, 'a graph input');
    const v = newValue(name, null);
    // a sequence's or optional's contents are bound before compiling (src/compile.ts)
    if (!markStructured(v, vi.type)) v.type = importType(vi.type, ctx, `input '${name}'`);
    scope.set(name, v);
    inputs.push(v);
  }
  const nodes = sortNodes(pg.node ?? [], new Set(scope.keys()), gname);
  const out: Node[] = [];
  nodes.forEach((pn, i) => {
    const domain = pn.domain === 'ai.onnx' ? '' : pn.domain ?? '';
    const name = pn.name || `${pn.op_type}_${i}`;
    const opset = ctx.opsets.get(domain);
    const node: Node = { name, op: pn.op_type ?? '', domain, opset: opset ?? 0, inputs: [], outputs: [], attrs: new Map() };
    if (opset === undefined) throw new CompileError(`node '${name}' (${pn.op_type}): domain '${domain}' is not imported by the model`);
    node.inputs = (pn.input ?? []).map((n) => (n === '' ? null : scope.get(n)!));
    for (const a of pn.attribute ?? []) node.attrs.set(a.name ?? '', importAttr(a, ctx, scope, `node '${name}' (${pn.op_type})`));
    node.outputs = (pn.output ?? []).map((n) => {
      if (n === '') return null;
      define(n, `an output of node '${name}' (${pn.op_type})`);
      const v = newValue(n, null, node);
      scope.set(n, v);
      return v;
    });
    out.push(node);
  });
  const declaredOutputs = new Map<string, TensorType>();
  const outputs = (pg.output ?? []).map((vi) => {
    const v = scope.get(vi.name ?? '');
    if (!v) throw new CompileError(`graph '${gname}': output '${vi.name}' is not produced by any node`);
    const declared = markStructured(v, vi.type) ? null : importType(vi.type, ctx, `output '${vi.name}'`);
    if (declared) declaredOutputs.set(v.name, declared);
    return v;
  });
  // value_info: types the model states for intermediate values, checked like the outputs'
  for (const vi of pg.value_info ?? []) {
    const v = scope.get(vi.name ?? '');
    if (!v || declaredOutputs.has(v.name) || !vi.type?.tensor_type) continue;
    const declared = importType(vi.type, ctx, `value_info '${vi.name}'`);
    if (declared) declaredOutputs.set(v.name, declared);
  }
  return { name: gname, inputs, outputs, nodes: out, outer, declared: declaredOutputs };
}

/** Topologically sorts nodes; reports dangling inputs and cycles by node name. */
function sortNodes(nodes: PNode[], known: Set<string>, gname: string): PNode[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => (n.output ?? []).forEach((o) => o && producer.set(o, i)));
  const label = (n: PNode, i: number) => `node '${n.name || `${n.op_type}_${i}`}' (${n.op_type})`;
  const deps = nodes.map((n, i) => {
    const d = new Set<number>();
    for (const inp of n.input ?? []) {
      if (!inp) continue;
      const p = producer.get(inp);
      if (p !== undefined) d.add(p);
      else if (!known.has(inp)) throw new CompileError(`${label(n, i)}: input '${inp}' is not produced by any node, initializer or graph input`);
    }
    // subgraphs may capture values produced by nodes of this graph
    for (const a of n.attribute ?? []) for (const g of [a.g, ...(a.graphs ?? [])]) if (g) for (const name of capturedNames(g)) {
      const p = producer.get(name);
      if (p !== undefined && p !== i) d.add(p);
    }
    return d;
  });
  const state = new Uint8Array(nodes.length); // 0 new, 1 on stack, 2 done
  const order: PNode[] = [];
  for (let s = 0; s < nodes.length; s++) {
    if (state[s]) continue;
    const stack: [number, number[]][] = [[s, [...deps[s]]]];
    state[s] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const next = top[1].pop();
      if (next === undefined) {
        state[top[0]] = 2;
        order.push(nodes[top[0]]);
        stack.pop();
      } else if (state[next] === 1) {
        throw new CompileError(`graph '${gname}' has a cycle through ${label(nodes[next], next)}`);
      } else if (state[next] === 0) {
        state[next] = 1;
        stack.push([next, [...deps[next]]]);
      }
    }
  }
  return order;
}

/** Names a subgraph reads that it does not define itself. */
function capturedNames(g: PGraph): string[] {
  const defined = new Set<string>([...(g.input ?? []).map((v) => v.name ?? ''), ...(g.initializer ?? []).map((t) => t.name ?? '')]);
  for (const n of g.node ?? []) for (const o of n.output ?? []) defined.add(o);
  const out: string[] = [];
  for (const n of g.node ?? []) {
    for (const i of n.input ?? []) if (i && !defined.has(i)) out.push(i);
    for (const a of n.attribute ?? []) for (const sg of [a.g, ...(a.graphs ?? [])]) if (sg) out.push(...capturedNames(sg).filter((x) => !defined.has(x)));
  }
  return out;
}
