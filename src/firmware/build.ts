// Cross-compiles generated C for a Cortex-M board: the model, runtime-c's main and TensorProto
// I/O (stdio over semihosting, newlib's librdimon) and runtime-firmware's startup, linked with
// runtime-firmware/onnxc_link.ld and the board's memories. Runtime objects are built once per
// symbol name (or model table) and board. Several models may share one image (firmwareGroup).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { RUNTIME_DIR, writeFiles } from '../nodeCompile.js';
import { exec } from '../runners/exec.js';
import { BATCH_TIMEOUT_MS, GroupBuilder, modelTable } from '../runners/batch.js';
import { BATCH_TABLE, compilerErrors } from '../runners/c.js';
import { Board } from './boards.js';

export const FIRMWARE_DIR = new URL('../../../runtime-firmware/', import.meta.url).pathname;
export const ARM_CC = process.env.ARM_CC || 'arm-none-eabi-gcc';
/** The flags every case builds with: the issue's warning bar. */
export const ARM_CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic', '-ffunction-sections', '-fdata-sections'];
/** Stack reserved at the top of RAM (the worst case of -fstack-usage is reported apart). */
export const STACK_BYTES = 64 << 10;

const hex = (n: number) => `0x${n.toString(16)}`;

/** onnxc_memory.ld for a board: the MEMORY block onnxc_link.ld includes. */
export function memoryScript(b: Board): string {
  return `/* ${b.machine} (${b.cpu}): written by onnxc */\nMEMORY\n{\n  FLASH (rx) : ORIGIN = ${hex(b.flash.origin)}, LENGTH = ${hex(b.flash.bytes)}\n` +
    `  RAM (rwx) : ORIGIN = ${hex(b.ram.origin)}, LENGTH = ${hex(b.ram.bytes)}\n}\n`;
}

/** Compiler flags for a board (the core, FPU, float ABI and the clock the startup counts). */
export function boardFlags(b: Board): string[] {
  return [...b.cflags, ...ARM_CFLAGS, '-DONNXC_EXTERNAL_CLOCK', '-DONNXC_NO_MKDIR', `-DONNXC_SYSCLK_HZ=${b.clockHz}u`];
}

let found: boolean | undefined;
/** Whether arm-none-eabi-gcc is installed. */
export async function haveArmToolchain(): Promise<boolean> {
  found ??= (await exec(ARM_CC, ['--version'])).code === 0;
  return found;
}

const objCache = new Map<string, Promise<string[]>>();

/** Runtime objects for a board, built once per `define` (the model symbol or model table). */
function runtimeObjects(define: string, b: Board): Promise<string[]> {
  const key = `${define}/${b.cpu}`;
  let p = objCache.get(key);
  if (!p) {
    p = (async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-fw-rt-'));
      const srcs = [path.join(RUNTIME_DIR, 'onnxc_main.c'), path.join(RUNTIME_DIR, 'onnxc_pb.c'), path.join(RUNTIME_DIR, 'onnxc_npy.c'), path.join(FIRMWARE_DIR, 'onnxc_startup.c')];
      return Promise.all(srcs.map(async (src) => {
        const obj = path.join(dir, path.basename(src).replace(/\.c$/, '.o'));
        const r = await exec(ARM_CC, [...boardFlags(b), define, '-I', RUNTIME_DIR, '-c', src, '-o', obj]);
        if (r.code !== 0) throw new CompileError(`building ${path.basename(src)} for ${b.cpu} failed: ${r.stderr.split('\n').find((l) => /error/.test(l)) ?? r.stderr.slice(0, 300)}`);
        return obj;
      }));
    })();
    p.catch(() => objCache.delete(key));
    objCache.set(key, p);
  }
  return p;
}

/** Writes the generated files into dir and links `dir/name.elf` for the board. */
export async function buildFirmware(files: Record<string, string | Uint8Array>, dir: string, name: string, b: Board, extraFlags: string[] = []): Promise<string> {
  writeFiles(dir, files);
  const elf = path.join(dir, `${name}.elf`);
  await link(b, dir, [`${name}.c`], await runtimeObjects(`-DONNXC_MODEL=${name}_model`, b), elf, `${name}.c`, extraFlags);
  return elf;
}

/** Links models already written to dir into one image with a model table (runners/batch.ts). */
export function firmwareGroup(b: Board): GroupBuilder {
  return async (names, dir, elf) => {
    const table = `${path.basename(elf)}_table.c`;
    fs.writeFileSync(path.join(dir, table), modelTable(BATCH_TABLE, names, 'c'));
    const what = names.length === 1 ? `${names[0]}.c` : `a batch of ${names.length} models`;
    await link(b, dir, [...names.map((n) => `${n}.c`), table], await runtimeObjects(`-DONNXC_MODEL_TABLE=${BATCH_TABLE}`, b), elf, what, []);
  };
}

/** Compiles sources (in dir) with the board's flags and links them with the runtime objects. */
async function link(b: Board, dir: string, srcs: string[], objs: string[], elf: string, what: string, extraFlags: string[]): Promise<void> {
  if (!(await haveArmToolchain())) throw new CompileError(`--cpu ${b.cpu} needs ${ARM_CC}: apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm`);
  fs.writeFileSync(path.join(dir, 'onnxc_memory.ld'), memoryScript(b));
  const r = await exec(ARM_CC, [...boardFlags(b), ...extraFlags, '-fstack-usage', '-I', '.', ...srcs, ...objs,
    '--specs=rdimon.specs', '-nostartfiles', '-L', FIRMWARE_DIR, '-L', '.', '-T', path.join(FIRMWARE_DIR, 'onnxc_link.ld'),
    `-Wl,--defsym=ONNXC_STACK_SIZE=${STACK_BYTES}`, '-Wl,--gc-sections', '-lm', '-o', elf], { cwd: dir, timeoutMs: BATCH_TIMEOUT_MS });
  if (r.code !== 0) {
    const over = /region `?(FLASH|RAM)'? overflowed by (\d+) bytes|does not fit the board's RAM/.exec(r.stderr);
    if (over) throw new CompileError(`the model does not fit ${b.machine} (${b.cpu}): ${over[1] ? `${over[1] === 'FLASH' ? 'flash' : 'RAM'} overflowed by ${over[2]} bytes` : 'static data and stack exceed its RAM'}`);
    throw new CompileError(`${ARM_CC} failed on ${what}: ${compilerErrors(r.stderr)}`);
  }
}
