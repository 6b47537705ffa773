// planMemory: places every arena temporary at a byte offset so that buffers live at the same
// time never overlap (liveness = first to last step using the buffer). Greedy best placement,
// largest first; the result and the liveness lower bound are reported. A view's uses count as
// uses of the buffer it is part of.
import { byteSize } from '../ir/dtype.js';
import { ARENA_ALIGN, Program, ProgramBuf, storageOf } from '../ir/kernel.js';

const align = (n: number) => Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;

export interface MemoryReport {
  arenaBytes: number;
  /** Max over steps of the bytes live at that step: no plan can be smaller. */
  lowerBound: number;
  temps: number;
}

/** Arena temporaries with the first and last step that use them (in order of first use). */
export function liveRanges(p: Program): { first: Map<ProgramBuf, number>; last: Map<ProgramBuf, number> } {
  const first = new Map<ProgramBuf, number>(), last = new Map<ProgramBuf, number>();
  p.steps.forEach((s, i) => s.args.forEach((arg) => {
    const b = storageOf(arg).root;
    if (b.role !== 'temp') return;
    if (!first.has(b)) first.set(b, i);
    last.set(b, i);
  }));
  // the slots of run-time dims are read after the run (output shapes): they live to a virtual
  // step after the last. Bounded input dims live outside the arena while the program runs
  // (the host's copy: C keeps them on the stack, WASM beside the inputs) and are copied into
  // it only after the run, so in the arena they take space at that virtual step alone.
  const end = p.steps.length;
  for (const b of first.keys()) if (b.dimOf) last.set(b, end);
  for (const d of p.inputDims ?? []) { first.set(d.slot, end); last.set(d.slot, end); }
  return { first, last };
}

/** Bytes a temporary takes in the arena (aligned, at least one alignment unit). The slot of a
 * run-time dim takes 8 bytes at an 8-byte offset: slots fill gaps the tensors leave, so a
 * bounded program's arena stays the one specialized at the bounds wherever a gap exists. */
export const arenaBytesOf = (b: ProgramBuf): number => (b.dimOf ? 8 : align(Math.max(1, byteSize(b.dtype, b.size))));
const alignOf = (b: ProgramBuf): number => (b.dimOf ? 8 : ARENA_ALIGN);
const alignTo = (n: number, a: number) => Math.ceil(n / a) * a;

export function planMemory(p: Program): MemoryReport {
  const { first, last } = liveRanges(p);
  const temps = [...first.keys()];
  const size = arenaBytesOf;
  const span = (b: ProgramBuf) => last.get(b)! - first.get(b)! + 1;
  // best-fit placement in a given order; several orders are tried and the smallest arena kept
  // (largest first is usually best, long-lived buffers first wins when views keep a Concat's
  // output alive across its producers)
  const place = (order: ProgramBuf[]): { arena: number; at: Map<ProgramBuf, number> } => {
    const at = new Map<ProgramBuf, number>();
    let arena = 0;
    for (const b of order) {
      const lo = first.get(b)!, hi = last.get(b)!, sz = size(b);
      const busy = [...at]
        .filter(([o]) => first.get(o)! <= hi && lo <= last.get(o)!)
        .map(([o, off]) => [off, off + size(o)] as const)
        .sort((x, y) => x[0] - y[0]);
      let off = 0, best = -1, bestGap = Infinity;
      const al = alignOf(b);
      for (const [s, e] of busy) {
        const at0 = alignTo(off, al);
        if (s - at0 >= sz && s - at0 < bestGap) { best = at0; bestGap = s - at0; }
        off = Math.max(off, e);
      }
      at.set(b, best >= 0 ? best : alignTo(off, al));
      arena = Math.max(arena, at.get(b)! + sz);
    }
    return { arena, at };
  };
  const orders: ((a: ProgramBuf, b: ProgramBuf) => number)[] = [
    (a, b) => size(b) - size(a) || first.get(a)! - first.get(b)!,
    (a, b) => span(b) - span(a) || size(b) - size(a),
    (a, b) => size(b) * span(b) - size(a) * span(a) || first.get(a)! - first.get(b)!,
    (a, b) => first.get(a)! - first.get(b)! || size(b) - size(a),
  ];
  let plan = place([...temps].sort(orders[0]));
  for (const o of orders.slice(1)) {
    const p2 = place([...temps].sort(o));
    if (p2.arena < plan.arena) plan = p2;
  }
  for (const [b, off] of plan.at) b.offset = off;
  const arena = plan.arena;
  let lowerBound = 0;
  p.steps.forEach((_, i) => {
    let live = 0;
    for (const b of temps) if (first.get(b)! <= i && i <= last.get(b)!) live += size(b);
    lowerBound = Math.max(lowerBound, live);
  });
  for (const b of p.bufs) if (b.role === 'temp' && !first.has(b)) b.offset = 0;
  p.arenaSize = align(arena);
  return { arenaBytes: p.arenaSize, lowerBound, temps: temps.length };
}
