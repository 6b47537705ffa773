// Rows of the C-family renderer (codegen/c/cstyle.ts) for C on a CPU: host C99 with GCC/Clang
// vector extensions (one thread runs every kernel), and the row the IR dump prints with.
import { C_TYPES, CStyleRow } from './cstyle.js';

/** Host C99: kernels are static functions kept out of line (ONNXC_KERNEL), pointers restrict. */
export const C_ROW: CStyleRow = {
  name: 'c', types: C_TYPES, kernelPrefix: () => 'ONNXC_KERNEL', restrict: 'restrict ', helperQualifier: 'static inline',
  vectors: true, loopPragmas: () => [], maxParams: 127,
};
