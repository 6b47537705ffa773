// guardBranches: an If whose condition is known only at run time and whose branches hold tensors
// with run-time dims (ir/rtdims.ts) — a detector's "no boxes: an empty result, else NMS" — cannot
// be one kernel with static scratch. Its branches' nodes move into the graph around it, each
// guarded by the condition (Node.guard: lowering wraps the node's kernel in an `if` and zeroes
// the run-time dims it makes when skipped), and an onnxc.IfMerge node takes the results of the
// branch that ran (ir/ops/control.ts). So every node of the branches is an ordinary node with
// its own kernel, run-time dims and derived dims included. An If of static shapes stays one
// kernel; an If with a known condition was inlined before (inlineKnownBranches).
import { Graph, Model, Node, Value, isStatic, subgraphs } from '../ir/graph.js';

const hasRt = (v: Value | null) => !!v?.type && !isStatic(v.type.shape);

/** Whether a graph computes a tensor whose shape is not static (at any depth). */
const holdsRt = (g: Graph): boolean =>
  g.outputs.some(hasRt) || g.nodes.some((n) => n.outputs.some(hasRt) || subgraphs(n).some(holdsRt));

function branch(n: Node, name: string): Graph | undefined {
  const a = n.attrs.get(name);
  return a?.kind === 'graph' ? a.value : undefined;
}

/** Moves the branches of every such If into the graph as guarded nodes; returns how many Ifs. */
export function guardBranches(m: Model): number {
  const g = m.graph;
  let count = 0;
  const out: Node[] = [];
  const queue = [...g.nodes];
  while (queue.length) {
    const n = queue.shift()!;
    const a = branch(n, 'then_branch'), b = branch(n, 'else_branch'), cond = n.inputs[0];
    if (n.op !== 'If' || n.domain !== '' || !a || !b || !cond || cond.const || !(n.outputs.some(hasRt) || holdsRt(a) || holdsRt(b))) {
      out.push(n);
      continue;
    }
    // nodes whose values were folded are constants now: nothing to run
    const guarded = (br: Graph, when: boolean) => br.nodes.filter((x) => x.outputs.some((v) => v && !v.const)).map((x) => {
      x.guard = [...(n.guard ?? []), { cond, when }];
      return x;
    });
    const merge: Node = { name: `${n.name}/merge`, op: 'IfMerge', domain: 'onnxc', opset: 1, inputs: [cond, ...a.outputs, ...b.outputs], outputs: n.outputs, attrs: new Map() };
    if (n.guard) merge.guard = n.guard;
    for (const v of n.outputs) if (v) v.producer = merge;
    // nested Ifs of the branches are looked at in turn
    queue.unshift(...guarded(a, true), ...guarded(b, false), merge);
    count++;
  }
  g.nodes = out;
  return count;
}
