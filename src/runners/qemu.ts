// Runs a firmware image (src/firmware/build.ts) under qemu-system-arm: the board's machine,
// stdio and files over semihosting on the host, the program's status as QEMU's exit code.
// Timing runs use -icount shift=0: one instruction per virtual nanosecond, deterministic.
import { CompileError } from '../../ir/errors.js';
import { Board } from '../firmware/boards.js';
import { exec } from './exec.js';

export const QEMU = process.env.QEMU_ARM || 'qemu-system-arm';

/** QEMU's command line for an image and its argv (commas doubled: QEMU's option syntax). */
export function qemuArgs(b: Board, elf: string, args: string[], icount: boolean): string[] {
  const argv = [elf, ...args].map((a) => `arg=${a.replace(/,/g, ',,')}`).join(',');
  return ['-M', b.machine, '-nographic', '-monitor', 'none', '-serial', 'none',
    '-semihosting-config', `enable=on,target=native,${argv}`, ...(icount ? ['-icount', 'shift=0'] : []), '-kernel', elf];
}

/** Runs the image; throws the program's `error:` line (or QEMU's) on a non-zero status. */
export async function runQemu(b: Board, elf: string, args: string[], opts: { icount?: boolean; timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
  const r = await exec(QEMU, qemuArgs(b, elf, args, opts.icount ?? false), { timeoutMs: opts.timeoutMs ?? 300_000 });
  if (r.code !== 0) {
    const last = r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit status ${r.code}`;
    throw new CompileError(`${b.machine} (${b.cpu}) under QEMU: ${last.replace(/^error: /, '')}`);
  }
  return r;
}
