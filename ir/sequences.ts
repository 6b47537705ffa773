// Sequences of statically known length, as lists of tensor values at compile time. A sequence
// value carries `elems` (its element values); each sequence op is a row below that computes
// its output list from its inputs' lists, and where it yields tensors (SequenceAt,
// SequenceLength, ConcatFromSequence, SplitToSequence's parts) the tensor nodes that compute
// them. Inference (ir/infer.ts) splices those nodes in place of the sequence node and types
// them, so no sequence reaches lowering. Lengths and positions must be known at compile time.
import { nodeError } from './errors.js';
import { Expand, intAttr as int, setList } from './expand.js';
import { Node, Value } from './graph.js';
import { toNumbers } from './tensor.js';

/** A position input: known, in [-len, len] (inserting) or [-len, len-1] (reading). */
function position(n: Node, v: Value | null | undefined, len: number, dflt: number, inserting: boolean): number {
  if (!v) return dflt;
  if (!v.const) throw nodeError(n, `the position must be known at compile time (onnxc keeps sequences as lists of tensors)`);
  let p = toNumbers(v.const)[0];
  const hi = inserting ? len : len - 1;
  if (p < -len || p > hi) throw nodeError(n, `position ${p} is out of range for a sequence of ${len}`);
  if (p < 0) p += len;
  return p;
}

/** Sequence ops, one row each. */
export const SEQUENCE_ROWS: Record<string, Expand> = {
  SequenceEmpty: (n) => { setList(n.outputs[0], []); return []; },
  SequenceConstruct: (n) => {
    const elems = n.inputs.filter((v): v is Value => !!v);
    for (const v of elems) if (v.sequence || v.optional || !v.type) throw nodeError(n, `input '${v.name}' is not a tensor of known type`);
    if (elems.some((v) => v.type!.dtype !== elems[0].type!.dtype)) throw nodeError(n, `the elements of a sequence must have one element type (${elems.map((v) => v.type!.dtype).join(', ')})`);
    setList(n.outputs[0], elems);
    return [];
  },
  Identity: (n, [s]) => { setList(n.outputs[0], s, n.inputs[0]!); return []; },
  SequenceInsert: (n, [s]) => {
    const p = position(n, n.inputs[2], s.length, s.length, true);
    setList(n.outputs[0], [...s.slice(0, p), n.inputs[1]!, ...s.slice(p)]);
    return [];
  },
  SequenceErase: (n, [s]) => {
    if (!s.length) throw nodeError(n, 'erasing from an empty sequence');
    const p = position(n, n.inputs[1], s.length, s.length - 1, false);
    setList(n.outputs[0], s.filter((_, i) => i !== p));
    return [];
  },
  SequenceLength: (n, [s], m) => [m.node('Identity', [m.ints([s.length], true)], n.outputs[0]!)],
  SequenceAt: (n, [s], m) => [m.node('Identity', [s[position(n, n.inputs[1], s.length, 0, false)]], n.outputs[0]!)],
  ConcatFromSequence: (n, [s], m) => {
    if (!s.length) throw nodeError(n, 'the sequence is empty: there is nothing to concatenate');
    const axis = int(n, 'axis', 0);
    if (!int(n, 'new_axis', 0)) return [m.node('Concat', s, n.outputs[0]!, { axis })];
    const parts = s.map((e) => m.unsqueeze(e, [axis]));
    return [...parts, m.node('Concat', parts.map((p) => p.outputs[0]), n.outputs[0]!, { axis })];
  },
  SplitToSequence: (n, _lists, m) => {
    const x = n.inputs[0]!;
    const shape = x.type!.shape;
    const r = shape.length;
    let axis = int(n, 'axis', 0);
    if (axis < -r || axis >= r) throw nodeError(n, `axis ${axis} is out of range for rank ${r}`);
    if (axis < 0) axis += r;
    const dim = shape[axis];
    if (typeof dim !== 'number') throw nodeError(n, `the split axis has symbolic size '${dim}'; bind it with --dim`);
    const split = n.inputs[1];
    if (split && !split.const) throw nodeError(n, 'split must be known at compile time (onnxc keeps sequences as lists of tensors)');
    let sizes: number[];
    if (!split) sizes = Array(dim).fill(1);
    else if (split.const!.shape.length === 0) {
      const k = toNumbers(split.const!)[0];
      if (k <= 0) throw nodeError(n, `split ${k} must be positive`);
      sizes = Array.from({ length: Math.ceil(dim / k) }, (_, i) => Math.min(k, dim - i * k));
    } else sizes = toNumbers(split.const!);
    if (sizes.reduce((a, b) => a + b, 0) !== dim) throw nodeError(n, `split sizes [${sizes}] do not add up to ${dim}`);
    const squeeze = !split && !int(n, 'keepdims', 1);
    const nodes: Node[] = [];
    let at = 0;
    for (const size of sizes) {
      const slice = m.node('Slice', [x, m.ints([at]), m.ints([at + size]), m.ints([axis])], undefined);
      nodes.push(slice);
      if (squeeze) nodes.push(m.node('Squeeze', [slice.outputs[0], m.ints([axis])], undefined));
      at += size;
    }
    setList(n.outputs[0], nodes.filter((_, i) => !squeeze || i % 2 === 1).map((k) => k.outputs[0]!));
    return nodes;
  },
};

/** Inputs of sequence ops that must be known at compile time (positions, split sizes): `run`
 * and `test` specialize on graph inputs feeding them (passes/findShapeInputs.ts). */
const CONST_INPUTS: Record<string, number[]> = { SequenceAt: [1], SequenceInsert: [2], SequenceErase: [1], SplitToSequence: [1] };

export function sequenceConstInputs(n: Node): number[] {
  return n.domain === '' ? CONST_INPUTS[n.op] ?? [] : [];
}
