// eliminateDeadSteps: drops steps whose results no later step reads. Shape computations that
// only feed a Reshape's target become such steps when the shape has run-time dims: the target
// is resolved at compile time (ir/shapeValues.ts), the Reshape is a view, and the Shape →
// Gather → Concat kernels would still run and hold arena space. Only steps that write arena
// temporaries alone (no output, view or run-time dim slot) and cannot fail are dropped.
import { Program, ProgramBuf, Stmt } from '../ir/kernel.js';

const fails = (b: Stmt[]): boolean => b.some((s) => s.k === 'fail' || ((s.k === 'for' || s.k === 'while') && fails(s.body))
  || (s.k === 'if' && (fails(s.then) || fails(s.else))));

export function eliminateDeadSteps(p: Program): void {
  const read = new Set<ProgramBuf>();
  const kept: Program['steps'] = [];
  for (let i = p.steps.length - 1; i >= 0; i--) {
    const s = p.steps[i], k = s.kernel;
    const written = s.args.filter((_, j) => k.writes.has(k.params[j]));
    // a later step that writes a buffer may also read it (Y += A·B): every argument counts
    const dead = written.length > 0 && written.every((b) => b.role === 'temp' && !b.dimOf && !read.has(b)) && !fails(k.body);
    if (dead) continue;
    kept.push(s);
    for (const b of s.args) read.add(b);
  }
  p.steps = kept.reverse();
}
