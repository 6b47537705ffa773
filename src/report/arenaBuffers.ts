// The arena of a planned Program as plain rows (what the memory picture draws): each temporary's
// byte offset, aligned size and first/last step, as planMemory (passes/planMemory.ts) saw them.
import { byteSize } from '../../ir/dtype.js';
import { ARENA_ALIGN, Program, ProgramBuf, storageOf } from '../../ir/kernel.js';

export interface ArenaBuffer {
  name: string;
  /** Byte offset in the arena. */
  offset: number;
  /** Bytes it takes there (rounded up to the arena's alignment). */
  size: number;
  /** First and last step (kernel index) that use it. */
  first: number;
  last: number;
}

export interface ArenaPicture {
  arenaBytes: number;
  steps: number;
  buffers: ArenaBuffer[];
}

/** The temporaries of a Program that planMemory has placed, in offset then first-step order. */
export function arenaBuffers(p: Program): ArenaPicture {
  const first = new Map<ProgramBuf, number>(), last = new Map<ProgramBuf, number>();
  p.steps.forEach((s, i) => s.args.forEach((arg) => {
    const b = storageOf(arg).root;
    if (b.role !== 'temp') return;
    if (!first.has(b)) first.set(b, i);
    last.set(b, i);
  }));
  const buffers = [...first.keys()].map((b) => ({
    name: b.name,
    offset: b.offset ?? 0,
    size: Math.ceil(Math.max(1, byteSize(b.dtype, b.size)) / ARENA_ALIGN) * ARENA_ALIGN,
    first: first.get(b)!,
    last: last.get(b)!,
  }));
  buffers.sort((a, b) => a.offset - b.offset || a.first - b.first);
  return { arenaBytes: p.arenaSize, steps: p.steps.length, buffers };
}
