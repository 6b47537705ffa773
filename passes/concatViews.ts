// Concat without copies: when a Concat's output is one contiguous slice per input (every dim
// before the axis is 1, as for channels of one image in NCHW), an input's producer can write
// straight into its slice of the output. lowerToKernels then gives such an input a view buffer
// (role 'view') instead of storage of its own, and the Concat copies only the other inputs.
// An input qualifies when it is computed by a node of this graph that is not an alias (Reshape…),
// is read by nothing but this Concat (once), and is not a graph output.
import { dtypeInfo } from '../ir/dtype.js';
import { Graph, Node, Value, consumers, isStatic } from '../ir/graph.js';
import { numel } from '../ir/tensor.js';

export interface ConcatSlice {
  /** First element of the input's slice in the Concat's output. */
  at: number;
  /** Whether the producer writes the slice itself (no copy). */
  view: boolean;
}

export interface ConcatViews {
  /** Inputs written in place: the Concat output they are part of, and where. */
  views: Map<Value, { parent: Value; at: number }>;
  /** Concat outputs with at least one such input. */
  parents: Set<Value>;
  /** Per planned Concat node, one slice per input. */
  concats: Map<Node, ConcatSlice[]>;
}

export function planConcatViews(g: Graph, isAlias: (n: Node) => boolean): ConcatViews {
  const plan: ConcatViews = { views: new Map(), parents: new Set(), concats: new Map() };
  const uses = consumers(g);
  const outputs = new Set(g.outputs);
  for (const n of g.nodes) {
    const out = n.outputs[0];
    if (n.op !== 'Concat' || n.domain !== '' || !out?.type || !isStatic(out.type.shape)) continue;
    const info = dtypeInfo(out.type.dtype);
    if (info.bits % 8 !== 0 || info.bits === 0) continue;
    const shape = out.type.shape, rank = shape.length;
    const axisAttr = Number(n.attrs.get('axis')?.value ?? 0), axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
    if (shape.slice(0, axis).some((d) => d !== 1)) continue;
    let at = 0;
    const slices: ConcatSlice[] = [];
    for (const v of n.inputs) {
      const vs = v?.type?.shape;
      if (!v || !vs || !isStatic(vs)) { slices.push({ at, view: false }); continue; }
      // one use in all: consumers() lists the Concat once per input slot v fills
      const p = v.producer;
      const view = !!p && !v.const && !isAlias(p) && !outputs.has(v) && v.type!.dtype === out.type.dtype
        && (uses.get(v) ?? []).length === 1 && numel(vs) > 0;
      slices.push({ at, view });
      if (view) plan.views.set(v, { parent: out, at });
      at += numel(vs);
    }
    if (slices.some((s) => s.view)) {
      plan.concats.set(n, slices);
      plan.parents.add(out);
    }
  }
  return plan;
}
