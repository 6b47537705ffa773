// The model validator, in the spirit of onnx.checker: every node is checked against its op's
// ONNX schema for the model's opset (ir/onnxSchemas.generated.ts) before anything else runs —
// the op exists in that opset, attribute types, input/output counts, required inputs — and,
// as types become known during inference, input element types against the type constraints.
// Each failure is one CompileError naming the node, the op and what is wrong.
import { DType } from './dtype.js';
import { CompileError, nodeError } from './errors.js';
import { Graph, Node, TensorType, subgraphs } from './graph.js';
import { SCHEMAS, TYPE_LISTS } from './onnxSchemas.generated.js';
import { getOp } from './opdef.js';

type Schema = (typeof SCHEMAS)[string][number];

/** Domains whose schemas onnxc knows; nodes of other domains are checked by their op definition. */
const schemaKey = (n: Node) => (n.domain === '' || n.domain === 'ai.onnx' ? `::${n.op}` : n.domain === 'ai.onnx.ml' ? `ai.onnx.ml::${n.op}` : undefined);

/** The schema version in effect for a node (the newest with since ≤ the node's opset). */
export function schemaOf(n: Node): Schema | undefined {
  const k = schemaKey(n);
  const versions = k ? SCHEMAS[k] : undefined;
  if (!versions) return undefined;
  let s: Schema | undefined;
  for (const v of versions) if (v.v <= n.opset) s = v;
  if (!s) throw nodeError(n, `op ${n.op} does not exist in opset ${n.opset} of domain '${n.domain || 'ai.onnx'}' (it was added in opset ${versions[0].v})`);
  return s;
}

const attrKind = (k: string) => (k === 'type' ? 'type_proto' : k);
const arity = (r: number[] | undefined, n: number) => !r || (n >= r[0] && (r[1] < 0 || n <= r[1]));
const range = (r: number[]) => (r[1] < 0 ? `at least ${r[0]}` : r[0] === r[1] ? `${r[0]}` : `${r[0]} to ${r[1]}`);

/** Checks a node against its schema: attribute types and names, arity, required inputs. */
export function validateNode(n: Node): void {
  const s = schemaOf(n);
  if (!s) return checkDefAttrs(n);
  for (const [name, a] of n.attrs) {
    const want = s.a[name];
    if (!want) throw nodeError(n, `attribute '${name}' is not an attribute of ${n.op} in opset ${n.opset}`);
    if (attrKind(a.kind) !== want) throw nodeError(n, `attribute '${name}' has type ${attrKind(a.kind)}; ${n.op} expects ${want}`);
  }
  if (!arity(s.ni, n.inputs.length)) throw nodeError(n, `has ${n.inputs.length} inputs; ${n.op}-${s.v} takes ${range(s.ni!)}`);
  if (!arity(s.no, n.outputs.length)) throw nodeError(n, `has ${n.outputs.length} outputs; ${n.op}-${s.v} produces ${range(s.no!)}`);
  s.i.forEach(([name, , flags = ''], k) => {
    if (!flags.includes('o') && !flags.includes('v') && k < n.inputs.length && !n.inputs[k]) throw nodeError(n, `required input ${k} ('${name}') is empty`);
  });
}

/** Ops without an ONNX schema (preview and vendor domains): attribute types from their op definition. */
function checkDefAttrs(n: Node): void {
  const spec = getOp(n.domain, n.op)?.attrs ?? {};
  for (const [name, a] of n.attrs) {
    const want = spec[name]?.type;
    if (want && attrKind(a.kind) !== want) throw nodeError(n, `attribute '${name}' has type ${attrKind(a.kind)}; ${n.op} expects ${want}`);
  }
}

/** Validates every node of a graph and its subgraphs; a graph must have outputs. */
export function validateGraph(g: Graph): void {
  if (g.outputs.length === 0) throw new CompileError(`graph '${g.name}' has no outputs`);
  for (const n of g.nodes) {
    validateNode(n);
    for (const sg of subgraphs(n)) validateGraph(sg);
  }
}

function allowed(s: Schema, tc: string): DType[] | undefined {
  const k = tc.startsWith('=') ? Number(tc.slice(1)) : s.t[tc];
  if (k === undefined) return undefined;
  const list = TYPE_LISTS[k];
  return list ? (list.split(',') as DType[]) : undefined;
}

/** Checks input element types against the op's type constraints; one variable binds one type. */
export function checkInputTypes(n: Node, types: (TensorType | null)[]): void {
  const s = schemaOf(n);
  if (!s || s.i.length === 0) return;
  const bound = new Map<string, [DType, number]>();
  types.forEach((t, k) => {
    if (!t) return;
    const [name, tc, flags = ''] = s.i[Math.min(k, s.i.length - 1)];
    if (k >= s.i.length && !flags.includes('v')) return;
    const ok = allowed(s, tc);
    if (!ok) return;
    if (!ok.includes(t.dtype)) throw nodeError(n, `input ${k} ('${name}') is ${t.dtype}; ${n.op}-${s.v} accepts ${ok.join(', ')}`);
    if (tc.startsWith('=') || flags.includes('h')) return;
    const b = bound.get(tc);
    if (!b) bound.set(tc, [t.dtype, k]);
    else if (b[0] !== t.dtype) throw nodeError(n, `input ${k} is ${t.dtype} but input ${b[1]} is ${b[0]}; ${n.op} needs one type for both (${tc})`);
  });
}

/** Checks the declared types of graph outputs and value_info entries against the inferred ones (element type, rank, static dims). */
export function checkDeclaredOutputs(g: Graph): void {
  const values = [...g.outputs, ...g.nodes.flatMap((n) => n.outputs)];
  for (const o of new Set(values)) {
    const d = o && g.declared?.get(o.name), t = o?.type;
    if (!o || !d || !t) continue;
    const what = `graph '${g.name}': ${g.outputs.includes(o) ? 'output' : 'value'} '${o.name}'`;
    if (d.dtype !== t.dtype) throw new CompileError(`${what} is declared ${d.dtype} but computes ${t.dtype}`);
    if (!d.shape || !t.shape) continue;
    if (d.shape.length !== t.shape.length) throw new CompileError(`${what} is declared with rank ${d.shape.length} but has rank ${t.shape.length}`);
    d.shape.forEach((x, i) => {
      const y = t.shape[i];
      if (typeof x === 'number' && typeof y === 'number' && x !== y) throw new CompileError(`${what} is declared [${d.shape}] but has shape [${t.shape}]`);
    });
  }
}
