// Inlines calls to model-local functions (FunctionProto) into the graph, renaming the
// function's internal values and binding attribute references to the caller's attributes.
import { CompileError } from '../../ir/errors.js';
import { PAttr, PFunction, PGraph, PNode, int64Num } from './schema.js';

const key = (domain: string | undefined, name: string | undefined) => `${domain ?? ''}::${name ?? ''}`;

/** Returns a graph where every call to a model-local function is replaced by its body. */
export function inlineFunctions(g: PGraph, functions: PFunction[], opsets: Map<string, number>): PGraph {
  if (functions.length === 0) return g;
  const table = new Map(functions.map((f) => [key(f.domain, f.name), f]));
  for (const f of functions) for (const o of f.opset_import ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    if (!opsets.has(d)) opsets.set(d, int64Num(o.version));
  }
  let counter = 0;
  const expand = (nodes: PNode[], depth: number): PNode[] => {
    if (depth > 32) throw new CompileError('model-local functions are nested more than 32 deep (recursive?)');
    const out: PNode[] = [];
    for (const n of nodes) {
      const f = table.get(key(n.domain, n.op_type));
      if (!f) { out.push(n); continue; }
      const prefix = `${n.name || f.name}__${counter++}/`;
      const rename = new Map<string, string>();
      (f.input ?? []).forEach((name, i) => rename.set(name, n.input?.[i] ?? ''));
      (f.output ?? []).forEach((name, i) => rename.set(name, n.output?.[i] ?? ''));
      const callAttrs = new Map((n.attribute ?? []).map((a) => [a.name ?? '', a]));
      const defaults = new Map((f.attribute_proto ?? []).map((a) => [a.name ?? '', a]));
      const mapName = (x: string) => (x === '' ? '' : rename.get(x) ?? prefix + x);
      const body = (f.node ?? []).map((bn): PNode => ({
        ...bn,
        name: prefix + (bn.name ?? ''),
        input: (bn.input ?? []).map(mapName),
        output: (bn.output ?? []).map(mapName),
        attribute: (bn.attribute ?? []).flatMap((a): PAttr[] => {
          if (!a.ref_attr_name) return [a];
          const src = callAttrs.get(a.ref_attr_name) ?? defaults.get(a.ref_attr_name);
          return src ? [{ ...src, name: a.name }] : [];
        }),
      }));
      out.push(...expand(body, depth + 1));
    }
    return out;
  };
  return { ...g, node: expand(g.node ?? [], 0) };
}
