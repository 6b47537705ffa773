// Run-time dims: a tensor dim whose value is known only when the program runs, with an upper
// bound known at compile time (the count of NonZero, Unique, a run-time Compress or
// NonMaxSuppression; an input dim bound with --dim NAME=LO..HI, src/dimBindings.ts).
//
// What they mean, in each IR:
// - Graph IR (ir/graph.ts): the dim is the string `NAME<=BOUND` (rtDim). It travels through
//   shape inference as a symbolic dim does (broadcasting matches it by name), so tensors that
//   share it share the value. Arithmetic on it (`a*b`) is not a run-time dim: an op whose output
//   needs that is refused when lowered (ops declare `runtimeDims` in ir/opdef.ts).
// - Kernel IR (ir/kernel.ts): the value lives in a one-element int64 buffer, the dim's slot
//   (ProgramBuf.dimOf names the dim), in the arena. The kernel producing the dim stores the count
//   there; every kernel reading a tensor with the dim takes the slot as a parameter and loads it
//   (a loop's `hi`, its `bound` the upper bound). Buffers and the arena are planned at the bound,
//   so the arena size stays a compile-time constant. A tensor stays dense in its actual shape: a
//   [2, n] tensor is row-major with stride n, so index arithmetic uses the loaded dims.
// - Program outputs (Program.outputs[].dims): per dim, the slot holding it; the slots live to the
//   end of the run, so the host reads an output's actual shape after it (C: NAME_output_shape,
//   WASM: the loader's shapes).
// - Bounded input dims (Program.inputDims, inputs[].dims): no kernel makes them; the host checks
//   each against [min, max] and stores it before the run (C: NAME_run_shaped keeps them on the
//   stack and copies them into the arena after the run; WASM: beside the inputs), so they take
//   no arena space while the program runs and the arena is the one planned at the bounds.
import type { Dim } from './graph.js';

const RT = /^(.*)<=(\d+)$/;

/** A run-time dim called `name` of at most `bound`. */
export const rtDim = (name: string, bound: number): string => `${name}<=${bound}`;

/** The upper bound of a run-time dim, or undefined for any other dim. */
export function rtBound(d: Dim): number | undefined {
  if (typeof d !== 'string') return undefined;
  const m = RT.exec(d);
  return m ? Number(m[2]) : undefined;
}

export const isRtDim = (d: Dim): d is string => rtBound(d) !== undefined;

/** The shape with run-time dims at their bounds; undefined when another symbolic dim remains. */
export function boundShape(shape: Dim[]): number[] | undefined {
  const out: number[] = [];
  for (const d of shape) {
    const b = typeof d === 'number' ? d : rtBound(d);
    if (b === undefined) return undefined;
    out.push(b);
  }
  return out;
}

/** A symbolic dim computed from a run-time one (`n<=4*2`): named in errors. */
export const dependsOnRt = (d: Dim): boolean => typeof d === 'string' && d.includes('<=');
