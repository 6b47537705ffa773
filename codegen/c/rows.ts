// Rows of the C-family renderer (codegen/c/cstyle.ts) for C on a CPU: host C99 with GCC/Clang
// vector extensions (one thread runs every kernel), and the row the IR dump prints with.
import type { TargetDesc } from '../../ir/target.js';
import { C_TYPES, CStyleRow } from './cstyle.js';

/** Host C99: kernels are static functions kept out of line (ONNXC_KERNEL), pointers restrict. */
export const C_ROW: CStyleRow = {
  name: 'c', types: C_TYPES, kernelPrefix: () => 'ONNXC_KERNEL', restrict: 'restrict ', helperQualifier: 'static inline',
  vectors: true, loopPragmas: () => [], maxParams: 127,
};

/** C for a core with the Arm DSP extension (TargetDesc.dsp): BinOp dot2 as ACLE's __smuad, and
 * an accumulation into it as __smlad, one instruction for two int8 MACs (arm_acle.h). */
export const C_DSP_ROW: CStyleRow = { ...C_ROW, name: 'c-dsp', dualMac: '__smuad', dualMacAcc: '__smlad', includes: ['arm_acle.h'] };

/** The C row for a --cpu target row. */
export const cRowFor = (t: TargetDesc): CStyleRow => (t.dsp ? C_DSP_ROW : C_ROW);
