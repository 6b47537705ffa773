// --max-ram BYTES: compiles with the default plan; when its RAM (arena, plus the worst-case
// stack on a Cortex-M row) is over the budget, compiles again trading speed for memory
// (convolutions without im2col buffers). Still over: one error naming the budget and the peak.
import { CompileError } from '../../ir/errors.js';
import type { CompileResult } from '../nodeCompile.js';
import { boardFor } from './boards.js';
import { Budget, measureBudget } from './budget.js';

export interface Fitted { r: CompileResult; budget?: Budget; ram: number; lowMemory: boolean }

async function ramOf(r: CompileResult): Promise<{ ram: number; budget?: Budget; what: string }> {
  const board = boardFor(r.cpu);
  if (!board) return { ram: r.program.arenaSize, what: `arena ${r.program.arenaSize}` };
  const budget = await measureBudget(r, board);
  return { ram: budget.ram, budget, what: `arena ${budget.arena} + stack ${budget.stack}` };
}

/** The first plan whose RAM fits maxRam; throws a CompileError when none does. */
export async function fitRam(compile: (lowMemory: boolean) => CompileResult, maxRam: number): Promise<Fitted> {
  let r = compile(false), m = await ramOf(r);
  if (m.ram <= maxRam) return { r, budget: m.budget, ram: m.ram, lowMemory: false };
  const first = m;
  r = compile(true);
  m = await ramOf(r);
  if (m.ram <= maxRam) return { r, budget: m.budget, ram: m.ram, lowMemory: true };
  throw new CompileError(`--max-ram ${maxRam}: the model needs ${Math.min(m.ram, first.ram)} bytes of RAM at its peak ` +
    `(${m.ram <= first.ram ? m.what : first.what}; ${first.ram} with the default plan, ${m.ram} without im2col buffers)`);
}
