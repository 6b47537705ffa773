// simplifyGraph: removes ops that do nothing at inference time — Identity, Dropout (inference
// mode), Cast to the same type, Reshape/Flatten/Squeeze/Unsqueeze that keep the shape — by
// rewiring their consumers to the input. Graph outputs keep their producer (a copy is cheap).
import { Graph, Model, Node, Value, subgraphs } from '../ir/graph.js';

function passThrough(n: Node): Value | null {
  const x = n.inputs[0], y = n.outputs[0];
  if (!x || !y || !x.type || !y.type) return null;
  const sameType = x.type.dtype === y.type.dtype && x.type.shape.join() === y.type.shape.join();
  switch (n.op) {
    case 'Identity': return x;
    case 'Dropout': { // keep it when the mask is requested or training_mode may be set (random dropout)
      const t = n.inputs[2];
      return n.outputs[1] || (t && !(t.const && !Number(t.const.data[0]))) ? null : x;
    }
    case 'Cast': case 'Reshape': case 'Flatten': case 'Squeeze': case 'Unsqueeze': case 'Expand':
      return sameType && x.type.shape.every((d) => typeof d === 'number') ? x : null;
    default: return null;
  }
}

export function simplifyGraph(m: Model): void {
  const g = m.graph;
  const outputs = new Set(g.outputs);
  const subst = new Map<Value, Value>();
  const resolve = (v: Value) => { while (subst.has(v)) v = subst.get(v)!; return v; };
  g.nodes = g.nodes.filter((n) => {
    n.inputs = n.inputs.map((v) => (v ? resolve(v) : v));
    const x = passThrough(n);
    if (!x || outputs.has(n.outputs[0]!)) return true;
    subst.set(n.outputs[0]!, x);
    return false;
  });
  // subgraphs (If/Loop/Scan bodies) may read the removed values too
  const rewire = (sg: Graph) => {
    for (const n of sg.nodes) {
      n.inputs = n.inputs.map((v) => (v ? resolve(v) : v));
      subgraphs(n).forEach(rewire);
    }
    sg.outputs = sg.outputs.map(resolve);
  };
  if (subst.size) for (const n of g.nodes) subgraphs(n).forEach(rewire);
}
