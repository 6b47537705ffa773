// What `onnxc inspect` reports about a model, as data: inputs, outputs, the op histogram,
// unsupported ops and the inferred type of every value (the browser page renders it as tables).
import { evaluateNode } from '../../codegen/js/evaluate.js';
import { Model } from '../../ir/graph.js';
import { inferNode } from '../../ir/infer.js';
import { getOp } from '../../ir/opdef.js';
import { typeStr } from '../../ir/print.js';
import { bindInputs } from '../compile.js';

export interface ModelSummary {
  source: string;
  irVersion: number;
  producer: string;
  opsets: string[];
  inputs: { name: string; type: string }[];
  outputs: string[];
  /** "[domain.]Op (opset N)" with its node count, most frequent first. */
  ops: { op: string; count: number }[];
  unsupported: string[];
  values: { name: string; type: string; constant: boolean }[];
  /** Why inference stopped early, if it did. */
  stopped?: string;
}

/** Summarizes a freshly imported model (binds `dims` and infers types on it, as inspect does). */
export function summarizeModel(m: Model, dims: Record<string, number> = {}): ModelSummary {
  const g = m.graph;
  const hist = new Map<string, number>();
  const unsupported: string[] = [];
  for (const n of g.nodes) {
    const k = `${n.domain ? n.domain + '.' : ''}${n.op} (opset ${n.opset})`;
    hist.set(k, (hist.get(k) ?? 0) + 1);
    if (!getOp(n.domain, n.op)) unsupported.push(`${n.name} (${n.op})`);
  }
  const s: ModelSummary = {
    source: m.source, irVersion: m.irVersion, producer: m.producer,
    opsets: [...m.opsets].map(([d, v]) => `${d || 'ai.onnx'} ${v}`),
    inputs: g.inputs.map((v) => ({ name: v.name, type: typeStr(v.type) })),
    outputs: g.outputs.map((v) => v.name),
    ops: [...hist].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).map(([op, count]) => ({ op, count })),
    unsupported,
    values: [],
  };
  bindInputs(m, dims);
  for (const n of g.nodes) {
    try {
      inferNode(n, evaluateNode);
    } catch (e) {
      s.stopped = (e as Error).message;
      break;
    }
    for (const v of n.outputs) if (v) s.values.push({ name: v.name, type: typeStr(v.type), constant: !!v.const });
  }
  return s;
}
