// What `onnxc inspect` and the browser page report about a model, as data: model facts, the op
// histogram by opset, unsupported nodes, inferred value types, and the arena plan of a compile.
// Node-free (the web bundle imports it): the caller supplies the model and the compiler.
import { evaluateNode } from '../../codegen/js/evaluate.js';
import { CompileError } from '../../ir/errors.js';
import { Model } from '../../ir/graph.js';
import { inferNode } from '../../ir/infer.js';
import { getOp } from '../../ir/opdef.js';
import { CompileResult, bindInputs } from '../compile.js';
import { DimBinding, dimRanges } from '../dimBindings.js';
import { dimLabel, isRtDim, rtBound } from '../../ir/rtdims.js';
import { arenaBoxes } from './memorySvg.js';

type Shape = (number | string)[];
export interface InspectReport {
  model: string; irVersion: number; producer?: string;
  opsets: { domain: string; version: number }[];
  inputs: { name: string; dtype?: string; shape?: Shape }[];
  outputs: { name: string }[];
  /** One row per op and opset, most frequent first. */
  ops: { op: string; opset: number; count: number }[];
  unsupported: { node: string; op: string }[];
  values: { name: string; dtype?: string; shape?: Shape; constant: boolean }[];
  /** Why inference stopped early, if it did. */
  inferenceStopped?: string;
  memory: { arenaBytes: number; lowerBound: number; kernels: number; temporaries: number;
    largest: { name: string; bytes: number; offset: number; first: number; last: number }[] } | { notPlanned: string };
}

/** A value's type as text: `float32[1,3,16,16]`, or `?` when unknown. */
export const typeText = (v: { dtype?: string; shape?: Shape }): string => (v.dtype ? `${v.dtype}[${v.shape!.join(',')}]` : '?');

const typeOf = (t: { dtype: string; shape: readonly (number | string)[] } | null) => (t ? { dtype: t.dtype, shape: [...t.shape] } : {});

/** Bounded dims (--dim NAME=LO..HI) shown as NAME=LO..HI wherever they appear: a model input's
 * NAME, or the run-time dim NAME<=HI that inference carries. Other run-time dims show their one
 * bound: min(300,n)<=300 for a derived one whose operands have their own (ir/rtdims.ts). */
function showRanges(r: InspectReport, dims: Record<string, DimBinding>): void {
  const text = new Map<string, string>();
  for (const [rt, x] of dimRanges(dims)) text.set(rt, `${x.name}=${x.min}..${x.max}`).set(x.name, `${x.name}=${x.min}..${x.max}`);
  const show = (d: string) => text.get(d) ?? (isRtDim(d) ? `${dimLabel(d)}<=${rtBound(d)}` : d);
  for (const v of [...r.inputs, ...r.values]) if (v.shape) v.shape = v.shape.map((d) => (typeof d === 'string' ? show(d) : d));
}

/** Facts about a freshly imported model; binds `dims` and infers types on it (so it changes `m`). */
function describeModel(m: Model, dims: Record<string, DimBinding>): InspectReport {
  const g = m.graph;
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
    inputs: g.inputs.map((v) => ({ name: v.name, ...typeOf(v.type) })),
    outputs: g.outputs.map((v) => ({ name: v.name })),
    ops: [...hist.values()].sort((x, y) => y.count - x.count || x.op.localeCompare(y.op) || x.opset - y.opset),
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
    for (const v of n.outputs) if (v) report.values.push({ name: v.name, ...typeOf(v.type), constant: !!v.const });
  }
  showRanges(report, dims);
  return report;
}

/**
 * Collects the report. `fresh` gives a newly imported model each call (inference and compiling
 * both change a model); `compile` compiles one for the arena plan. `compiled` is its result when
 * the arena could be planned; a CompileError becomes `memory.notPlanned`.
 */
export function inspectModel(fresh: () => Model, dims: Record<string, DimBinding>, compile: (m: Model) => CompileResult): { report: InspectReport; compiled?: CompileResult } {
  const report = describeModel(fresh(), dims);
  try {
    const r = compile(fresh());
    const boxes = arenaBoxes(r.program);
    report.memory = { arenaBytes: r.memory.arenaBytes, lowerBound: r.memory.lowerBound, kernels: r.program.steps.length, temporaries: r.memory.temps,
      largest: [...boxes].sort((a, b) => b.bytes - a.bytes || a.offset - b.offset).slice(0, 10) };
    return { report, compiled: r };
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    report.memory = { notPlanned: e.message };
    return { report };
  }
}
