// `onnxc inspect MODEL`: inputs/outputs, op histogram with opsets, unsupported ops by node,
// inferred shapes of every value, and the planned arena size.
import { evaluateNode } from '../../codegen/js/evaluate.js';
import { CompileError } from '../../ir/errors.js';
import { inferNode } from '../../ir/infer.js';
import { getOp } from '../../ir/opdef.js';
import { typeStr } from '../../ir/print.js';
import { bindInputs, compileModel, loadModel } from '../api.js';
import { parseDims } from './common.js';
import { ramMapLines } from '../firmware/ramMap.js';

export function inspectCommand(a: { model: string; dim?: string[] }): number {
  const w = (s: string) => process.stdout.write(s + '\n');
  const m = loadModel(a.model);
  const dims = parseDims(a.dim);
  const g = m.graph;
  w(`model: ${m.source}  (ir_version ${m.irVersion}${m.producer ? `, producer ${m.producer}` : ''})`);
  w(`opsets: ${[...m.opsets].map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ')}`);
  w('inputs:');
  for (const v of g.inputs) w(`  ${v.name}: ${typeStr(v.type)}`);
  w('outputs:');
  for (const v of g.outputs) w(`  ${v.name}`);
  const hist = new Map<string, number>();
  const unsupported: string[] = [];
  for (const n of g.nodes) {
    const k = `${n.domain ? n.domain + '.' : ''}${n.op} (opset ${n.opset})`;
    hist.set(k, (hist.get(k) ?? 0) + 1);
    if (!getOp(n.domain, n.op)) unsupported.push(`${n.name} (${n.op})`);
  }
  w(`ops (${g.nodes.length} nodes):`);
  for (const [k, c] of [...hist].sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))) w(`  ${String(c).padStart(5)}  ${k}`);
  w(unsupported.length ? `unsupported ops (${unsupported.length}): ${unsupported.join(', ')}` : 'unsupported ops: none');
  bindInputs(m, dims);
  w('values:');
  for (const n of g.nodes) {
    try {
      inferNode(n, evaluateNode);
    } catch (e) {
      w(`  (inference stopped at ${(e as Error).message})`);
      break;
    }
    for (const v of n.outputs) if (v) w(`  ${v.name}: ${typeStr(v.type)}${v.const ? ' (constant)' : ''}`);
  }
  try {
    const r = compileModel(loadModel(a.model), { target: 'c', dims });
    w(`arena: ${r.memory.arenaBytes} bytes (liveness lower bound ${r.memory.lowerBound}; ${r.program.steps.length} kernels)`);
    ramMapLines(r.program).forEach((l) => w(l));
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    w(`arena: not planned (${e.message})`);
  }
  return 0;
}
