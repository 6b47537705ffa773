// `onnxc inspect MODEL [--json [FILE]] [--memory-svg FILE]`: inputs/outputs, op histogram with
// opsets, unsupported ops by node, inferred shapes of every value and the planned arena, as
// aligned tables (or one JSON object); --memory-svg draws the arena plan.
import fs from 'node:fs';
import { CompileError } from '../../ir/errors.js';
import { compileModel } from '../nodeCompile.js';
import { loadModel } from '../onnx/loadModel.js';
import { InspectReport, inspectModel, typeText } from '../report/inspectReport.js';
import { memorySvg } from '../report/memorySvg.js';
import { textTable } from '../textTable.js';
import { parseDims } from './common.js';
import { ramMapLines } from '../firmware/ramMap.js';

function render(r: InspectReport): string {
  const out = [`model: ${r.model}  (ir_version ${r.irVersion}${r.producer ? `, producer ${r.producer}` : ''})`,
    `opsets: ${r.opsets.map((o) => `${o.domain} ${o.version}`).join(', ')}`, ''];
  out.push('inputs and outputs:', textTable(['kind', 'name', 'type'], [...r.inputs.map((v) => ['input', v.name, typeText(v)]),
    ...r.outputs.map((v) => ['output', v.name, typeText(r.values.find((x) => x.name === v.name) ?? {})])]));
  out.push(`ops (${r.ops.reduce((a, o) => a + o.count, 0)} nodes):`, textTable(['count', 'op', 'opset'], r.ops.map((o) => [o.count, o.op, o.opset]), [0, 2]));
  out.push(r.unsupported.length ? `unsupported ops (${r.unsupported.length}): ${r.unsupported.map((u) => `${u.node} (${u.op})`).join(', ')}` : 'unsupported ops: none', '');
  out.push('values:', textTable(['value', 'dtype', 'shape', ''], r.values.map((v) => [v.name, v.dtype ?? '?', v.shape ? `[${v.shape.join(', ')}]` : '?', v.constant ? 'constant' : ''])));
  if (r.inferenceStopped) out.push(`  (inference stopped at ${r.inferenceStopped})`, '');
  const m = r.memory;
  if ('notPlanned' in m) out.push(`arena: not planned (${m.notPlanned})`);
  else {
    out.push('memory:', textTable(['', 'bytes'], [['arena', m.arenaBytes], ['liveness lower bound', m.lowerBound]], [1]) + `  ${m.kernels} kernels, ${m.temporaries} arena temporaries`, '');
    if (m.largest.length) out.push(`largest temporaries:`, textTable(['buffer', 'bytes', 'offset', 'steps'], m.largest.map((b) => [b.name, b.bytes, b.offset, `${b.first}-${b.last}`]), [1, 2]));
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

export function inspectCommand(a: { model: string; dim?: string[]; json?: string; 'memory-svg'?: string }): number {
  const dims = parseDims(a.dim);
  const { report, compiled } = inspectModel(() => loadModel(a.model), dims, (m) => compileModel(m, { target: 'c', dims }));
  if (a['memory-svg'] !== undefined) {
    if (!compiled) throw new CompileError(`cannot draw the arena plan: ${(report.memory as { notPlanned: string }).notPlanned}`);
    fs.writeFileSync(a['memory-svg'], memorySvg(compiled.program));
  }
  if (a.json !== undefined) {
    const text = JSON.stringify(report, null, 1) + '\n';
    if (a.json) fs.writeFileSync(a.json, text);
    else process.stdout.write(text);
  } else process.stdout.write(render(report) + (compiled ? ramMapLines(compiled.program).join('\n') + '\n' : ''));
  return 0;
}
