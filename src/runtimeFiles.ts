// Where the runtimes shipped with onnxc live (beside dist/ in the repository and in the npm
// package alike), and the files a generated output folder carries.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the C runtime (ABI header, TensorProto I/O, standalone main). */
export const RUNTIME_DIR = fileURLToPath(new URL('../../runtime-c/', import.meta.url));
/** Folder of the CUDA support headers (launch macro, host driver, host emulation). */
export const RUNTIME_CUDA_DIR = fileURLToPath(new URL('../../runtime-cuda/', import.meta.url));

const read = (dir: string, f: string) => fs.readFileSync(path.join(dir, f), 'utf8');

/** runtime-c/onnxc_runtime.h, which every C-family output includes. */
export function runtimeHeader(): string {
  return read(RUNTIME_DIR, 'onnxc_runtime.h');
}

/** The shipped headers a generated CUDA output folder carries, by file name. */
export function cudaHeaderFiles(): Record<string, string> {
  return {
    'onnxc_runtime.h': runtimeHeader(),
    'onnxc_cuda.h': read(RUNTIME_CUDA_DIR, 'onnxc_cuda.h'),
    'onnxc_cuda_emu.h': read(RUNTIME_CUDA_DIR, 'onnxc_cuda_emu.h'),
  };
}

/** runtime-c's standalone main and TensorProto I/O, for output folders that build a program. */
export function runtimeMainFiles(): Record<string, string> {
  return Object.fromEntries(['onnxc_main.c', 'onnxc_pb.c', 'onnxc_pb.h', 'onnxc_npy.c', 'onnxc_npy.h'].map((f) => [f, read(RUNTIME_DIR, f)]));
}
