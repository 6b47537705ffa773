// The CUDA row of the C-family renderer (codegen/c/cstyle.ts): kernels are __global__, helpers
// device functions, loops bound to the grid stride over every thread of the launch, barriers
// are __syncthreads(). Scalar code only (no vector IR: a GPU's parallelism is its threads).
import { C_TYPES, CStyleRow } from '../c/cstyle.js';

export const CUDA_ROW: CStyleRow = {
  name: 'cuda',
  types: C_TYPES,
  kernelPrefix: (k) => `static __global__ __launch_bounds__(${(k.launch?.threads ?? [1]).reduce((a, b) => a * b, 1)})`,
  restrict: '__restrict__ ',
  helperQualifier: 'static __device__ inline',
  vectors: false,
  loopPragmas: () => [],
  boundLoop: (s, lo, hi, T) => {
    const first = lo === '0' ? '' : `${lo} + `, by = s.step === 1 ? '' : ` * ${s.step}`;
    const [kind, d] = s.bind!.split('.');
    const [start, stride] = kind === 'grid' ? [`((${T})blockIdx.${d} * blockDim.${d} + threadIdx.${d})`, `(${T})gridDim.${d} * blockDim.${d}`]
      : kind === 'block' ? [`(${T})blockIdx.${d}`, `(${T})gridDim.${d}`] : [`(${T})threadIdx.${d}`, `(${T})blockDim.${d}`];
    return `for (${T} ${s.v} = ${first}${start}${by}; ${s.v} < ${hi}; ${s.v} += ${stride}${by})`;
  },
  barrier: '__syncthreads();',
  shared: '__shared__',
};
