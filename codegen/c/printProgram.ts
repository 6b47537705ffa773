// Text dump of a lowered Program: buffers with roles/offsets, then every kernel in C syntax.
import { byteSize } from '../../ir/dtype.js';
import { Program } from '../../ir/kernel.js';
import { CStyleRenderer } from './cstyle.js';
import { C_TYPES } from './cstyle.js';
import { bufName } from './emitC.js';

export function printProgram(p: Program): string {
  const r = new CStyleRenderer({ name: 'print', types: C_TYPES, kernelPrefix: () => 'kernel', restrict: '', helperQualifier: 'static inline', vectors: true, loopPragmas: (h) => [`// hint ${JSON.stringify(h)}`] }, (id) => bufName(p.bufs[id]));
  const lines = [`# program ${p.name}: ${p.steps.length} kernels, arena ${p.arenaSize} bytes`];
  for (const b of p.bufs) {
    const where = b.role === 'temp' ? `arena+${b.offset ?? '?'}` : b.role === 'input' || b.role === 'output' ? `${b.role}[${b.index}]`
      : b.view ? `${bufName(b.view.of)}+${b.view.at}` : 'const';
    lines.push(`#   ${bufName(b)}: ${b.dtype}[${b.size}] ${byteSize(b.dtype, b.size)}B @ ${where}`);
  }
  for (const s of p.steps) lines.push('', r.kernel(s.kernel));
  return lines.join('\n') + '\n';
}
