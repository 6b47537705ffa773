// foldConstants: drops nodes whose outputs are all known at compile time; their values become
// constants (weights) of the program.
import { Model } from '../ir/graph.js';

export function foldConstants(m: Model): void {
  const g = m.graph;
  g.nodes = g.nodes.filter((n) => !n.outputs.every((v) => !v || v.const !== undefined));
}
