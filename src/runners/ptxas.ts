// Compiles a .cu with nvcc for a given GPU architecture (no GPU needed) and checks what
// ptxas reports per kernel (registers, static shared memory, spills) against the limits.
import path from 'node:path';
import { RUNTIME_CUDA_DIR, RUNTIME_DIR } from '../runtimeFiles.js';
export { RUNTIME_CUDA_DIR };
import { exec } from './exec.js';

/** One kernel as ptxas compiled it. */
export interface KernelUsage {
  name: string;
  registers: number;
  sharedBytes: number;
  /** Bytes of spill stores. */
  spills: number;
}

export interface NvccCheck {
  /** nvcc succeeded without warnings and every kernel is within the limits. */
  ok: boolean;
  /** Compiler diagnostics and limit violations, one line each. */
  warnings: string[];
  kernels: KernelUsage[];
}

const NVCC = process.env.NVCC || 'nvcc';
export const LIMITS = { registers: 255, sharedBytes: 48 * 1024 };

/** `_Z12fix_k4_totalPKfPf` -> `fix_k4_total`; an extern "C" name stays as it is. */
function kernelName(mangled: string): string {
  const m = /^_Z(\d+)/.exec(mangled);
  return m ? mangled.slice(m[0].length, m[0].length + Number(m[1])) : mangled;
}

/** Per-kernel usage from `nvcc -Xptxas -v` output. */
export function parsePtxas(text: string): KernelUsage[] {
  const kernels: KernelUsage[] = [];
  for (const line of text.split('\n')) {
    const entry = /Compiling entry function '([^']+)'/.exec(line);
    if (entry) { kernels.push({ name: kernelName(entry[1]), registers: 0, sharedBytes: 0, spills: 0 }); continue; }
    const k = kernels[kernels.length - 1];
    if (!k) continue;
    const spill = /(\d+) bytes spill stores/.exec(line);
    if (spill) k.spills = Number(spill[1]);
    const regs = /Used (\d+) registers/.exec(line);
    if (regs) k.registers = Number(regs[1]);
    const smem = /(\d+) bytes smem/.exec(line);
    if (regs && smem) k.sharedBytes = Number(smem[1]);
  }
  return kernels;
}

/** Limit violations of the kernels, one line each. */
export function checkLimits(kernels: KernelUsage[]): string[] {
  const out: string[] = [];
  for (const k of kernels) {
    if (k.registers > LIMITS.registers) out.push(`${k.name}: ${k.registers} registers (limit ${LIMITS.registers})`);
    if (k.sharedBytes > LIMITS.sharedBytes) out.push(`${k.name}: ${k.sharedBytes} bytes of static shared memory (limit ${LIMITS.sharedBytes})`);
    if (k.spills > 0) out.push(`${k.name}: ${k.spills} bytes of register spill stores`);
  }
  return out;
}

/**
 * Compiles cuFile (relative to dir, or absolute) with `nvcc -arch=ARCH -c -Werror all-warnings
 * -Xptxas -v` and the runtime include dirs; returns the diagnostics and the per-kernel usage.
 */
export async function checkNvcc(cuFile: string, dir: string, arch: 'sm_80' | 'sm_90'): Promise<NvccCheck> {
  const obj = path.join(dir, `${path.basename(cuFile, '.cu')}.${arch}.o`);
  const r = await exec(NVCC, [`-arch=${arch}`, '-c', '-Werror', 'all-warnings', '-Xptxas', '-v',
    '-I', dir, '-I', RUNTIME_DIR, '-I', RUNTIME_CUDA_DIR, cuFile, '-o', obj], { cwd: dir, timeoutMs: 300_000 });
  const text = r.stdout + r.stderr;
  const kernels = parsePtxas(text);
  const diagnostics = text.split('\n').filter((l) => l.trim() && !/^ptxas info|^\s+\d+ bytes stack frame/.test(l));
  const warnings = [...diagnostics, ...checkLimits(kernels)];
  return { ok: r.code === 0 && warnings.length === 0, warnings, kernels };
}
