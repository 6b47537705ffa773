// The browser's CompileEnv: the runtime headers bundled as text, the portable C row, no --dump-ir.
import runtimeH from '../../runtime-c/onnxc_runtime.h';
import cudaH from '../../runtime-cuda/onnxc_cuda.h';
import cudaEmuH from '../../runtime-cuda/onnxc_cuda_emu.h';
import type { CompileEnv } from '../../src/compile.js';

export const BROWSER_ENV: CompileEnv = {
  runtimeHeader: () => runtimeH,
  cudaHeaderFiles: () => ({ 'onnxc_runtime.h': runtimeH, 'onnxc_cuda.h': cudaH, 'onnxc_cuda_emu.h': cudaEmuH }),
  nativeCpu: () => 'host',
};
