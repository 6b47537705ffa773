// What `onnxc inspect` reports, as data: model facts, op histogram, unsupported nodes,
// inferred value types, and the arena plan (with the compiled program for --memory-svg).
import { evaluateNode } from '../../codegen/js/evaluate.js';
import { CompileError } from '../../ir/errors.js';
import { inferNode } from '../../ir/infer.js';
import { Program } from '../../ir/kernel.js';
import { getOp } from '../../ir/opdef.js';
import { bindInputs, compileModel, loadModel } from '../api.js';
import { arenaBoxes } from '../memorySvg.js';

type Shape = (number | string)[];
export interface InspectReport {
  model: string; irVersion: number; producer?: string;
  opsets: { domain: string; version: number }[];
  inputs: { name: string; dtype?: string; shape?: Shape }[];
  outputs: { name: string }[];
  ops: { op: string; opset: number; count: number }[];
  unsupported: { node: string; op: string }[];
  values: { name: string; dtype?: string; shape?: Shape; constant: boolean }[];
  inferenceStopped?: string;
  memory: { arenaBytes: number; lowerBound: number; kernels: number; temporaries: number;
    largest: { name: string; bytes: number; offset: number; first: number; last: number }[] } | { notPlanned: string };
}

/** Collects the report; `program` is the compiled C program when the arena could be planned. */
export function inspectModel(file: string, dims: Record<string, number>): { report: InspectReport; program?: Program } {
  const m = loadModel(file), g = m.graph;
  const hist = new Map<string, { op: string; opset: number; count: number }>();
  const unsupported: InspectReport['unsupported'] = [];
  for (const n of g.nodes) {
    const op = `${n.domain ? n.domain + '.' : ''}${n.op}`, k = `${op}@${n.opset}`;
    const e = hist.get(k) ?? { op, opset: n.opset, count: 0 };
    e.count++;
    hist.set(k, e);
    if (!getOp(n.domain, n.op)) unsupported.push({ node: n.name, op: n.op });
  }
  const report: InspectReport = {
    model: m.source, irVersion: m.irVersion, ...(m.producer ? { producer: m.producer } : {}),
    opsets: [...m.opsets].map(([d, v]) => ({ domain: d || 'ai.onnx', version: v })),
    inputs: g.inputs.map((v) => ({ name: v.name, ...(v.type ? { dtype: v.type.dtype, shape: [...v.type.shape] } : {}) })),
    outputs: g.outputs.map((v) => ({ name: v.name })),
    ops: [...hist.values()].sort((x, y) => y.count - x.count || x.op.localeCompare(y.op)),
    unsupported, values: [], memory: { notPlanned: '' },
  };
  bindInputs(m, dims);
  for (const n of g.nodes) {
    try {
      inferNode(n, evaluateNode);
    } catch (e) {
      report.inferenceStopped = (e as Error).message;
      break;
    }
    for (const v of n.outputs) if (v) report.values.push({ name: v.name, ...(v.type ? { dtype: v.type.dtype, shape: [...v.type.shape] } : {}), constant: !!v.const });
  }
  try {
    const r = compileModel(loadModel(file), { target: 'c', dims });
    const boxes = arenaBoxes(r.program);
    report.memory = { arenaBytes: r.memory.arenaBytes, lowerBound: r.memory.lowerBound, kernels: r.program.steps.length, temporaries: r.memory.temps,
      largest: [...boxes].sort((a, b) => b.bytes - a.bytes || a.offset - b.offset).slice(0, 10) };
    return { report, program: r.program };
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    report.memory = { notPlanned: e.message };
    return { report };
  }
}
