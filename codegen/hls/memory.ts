// Where each buffer of an HLS design lives. Inputs and outputs are top-function arrays (m_axi
// ports), constants `static const` arrays (ROM), intermediates on-chip arrays while they fit
// the on-chip budget (--hls-onchip-bytes), the largest of the rest slices of an m_axi DDR arena
// (one port per element type: a design computes on typed arrays, never on reinterpreted bytes).
// A view (a Concat input written in place) is its root's array from an element offset on, so
// kernels index arrays and never do pointer arithmetic.
import { Scalar, byteSize, dtypeInfo, scalarBits, storageScalar } from '../../ir/dtype.js';
import { Program, ProgramBuf, storageOf } from '../../ir/kernel.js';

export const bufName = (b: ProgramBuf): string => `${b.role === 'const' ? 'w' : 'v'}${b.id}_${b.name}`;

/** Name of the DDR arena port holding spilled intermediates of one element type. */
export const arenaName = (t: Scalar): string => `arena_${t}`;

export interface Place {
  /** The array a buffer lives in. */
  array: string;
  /** Element where it starts in that array. */
  at: number;
}

export interface HlsMemory {
  place: Map<ProgramBuf, Place>;
  /** Intermediates kept on chip (static arrays of the top function). */
  onchip: ProgramBuf[];
  /** DDR arena ports: element type, elements, and the byte offset of the port's slice of the
   * one host arena the testbench passes (each slice 64-byte aligned). */
  arenas: { t: Scalar; elems: number; byteAt: number }[];
  onchipBytes: number;
  /** Bytes of all arenas together (the testbench's arena, NAME_ARENA_SIZE). */
  arenaBytes: number;
}

/** Whether a program buffer is used by some step (itself or through a view). */
export const usedBuf = (p: Program, b: ProgramBuf) => p.steps.some((s) => s.args.some((a) => a === b || storageOf(a).root === b));

/** Elements of its storage type an array holding the buffer needs (packed types: bytes; at least 1). */
export const storageElems = (b: ProgramBuf): number => Math.max(1, Math.ceil(byteSize(b.dtype, b.size) / (scalarBits(storageScalar(b.dtype)) / 8)));

/** Packed types (4 bits and less) index elements, not storage units: they stay whole arrays. */
const packed = (b: ProgramBuf) => dtypeInfo(b.dtype).bits < scalarBits(storageScalar(b.dtype));

/** Places every buffer: intermediates on chip up to `onchipBytes`, the largest others in DDR. */
export function placeBuffers(p: Program, onchipBytes: number): HlsMemory {
  const temps = p.bufs.filter((b) => b.role === 'temp' && usedBuf(p, b));
  const bytes = (b: ProgramBuf) => byteSize(b.dtype, b.size);
  // spill the largest first until the rest fit (ties: the later buffer, for a stable choice)
  const bySize = temps.filter((b) => !packed(b)).sort((a, b) => bytes(b) - bytes(a) || b.id - a.id);
  let onchipTotal = temps.reduce((s, b) => s + bytes(b), 0);
  const spilled = new Set<ProgramBuf>();
  for (const b of bySize) {
    if (onchipTotal <= onchipBytes) break;
    spilled.add(b);
    onchipTotal -= bytes(b);
  }
  const place = new Map<ProgramBuf, Place>();
  const arenaElems = new Map<Scalar, number>();
  for (const b of temps) {
    if (!spilled.has(b)) continue;
    const t = storageScalar(b.dtype), at = arenaElems.get(t) ?? 0;
    place.set(b, { array: arenaName(t), at });
    arenaElems.set(t, at + storageElems(b));
  }
  for (const b of p.bufs) {
    if (b.role === 'view') continue;
    if (!place.has(b)) place.set(b, { array: bufName(b), at: 0 });
  }
  for (const b of p.bufs) if (b.role === 'view') {
    const { root, at } = storageOf(b), r = place.get(root)!;
    place.set(b, { array: r.array, at: r.at + at });
  }
  let byteAt = 0;
  const arenas = [...arenaElems].sort(([a], [b]) => a.localeCompare(b)).map(([t, elems]) => {
    const a = { t, elems, byteAt };
    byteAt = Math.ceil((byteAt + elems * (scalarBits(t) / 8)) / 64) * 64;
    return a;
  });
  return { place, onchip: temps.filter((b) => !spilled.has(b)), arenas, onchipBytes: onchipTotal, arenaBytes: byteAt };
}
