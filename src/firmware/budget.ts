// Flash and RAM of a model compiled for a Cortex-M row. Flash: code plus const data (weights),
// from arm-none-eabi-size on the model's object when the toolchain is installed, else estimated
// from the generated C. RAM: the arena plus the model's static data plus the worst-case stack
// of NAME_run, from GCC's call graph with stack usage (-fcallgraph-info=su).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { byteSize } from '../../ir/dtype.js';
import { CompileError } from '../../ir/errors.js';
import type { CompileResult } from '../nodeCompile.js';
import { exec } from '../runners/exec.js';
import { Board } from './boards.js';
import { ARM_CC, boardFlags, haveArmToolchain } from './build.js';

export interface Budget {
  /** 'measured' (arm-none-eabi-size, -fcallgraph-info) or 'estimated' (no toolchain). */
  how: 'measured' | 'estimated';
  code: number;
  /** Const data: weights and tables. */
  weights: number;
  /** Static RAM of the model's object (.data + .bss); 0 for onnxc's output. */
  staticRam: number;
  arena: number;
  /** Worst-case stack of NAME_run (measured), or an estimate. */
  stack: number;
  /** Functions on the worst path whose stack GCC does not know (libm calls). */
  unknownStack: string[];
  flash: number;
  ram: number;
}

/** Sizes of an object's sections (arm-none-eabi-size -A). */
function sections(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const l of text.split('\n')) {
    const x = /^(\.\S+)\s+(\d+)\s+\d+/.exec(l.trim());
    if (x) m.set(x[1], (m.get(x[1]) ?? 0) + Number(x[2]));
  }
  return m;
}

/** Worst stack depth from `root` in a GCC .ci call graph (VCG); unknown callees listed. */
export function worstStack(ci: string, root: string): { bytes: number; unknown: string[] } {
  const own = new Map<string, number>(), edges = new Map<string, string[]>();
  for (const x of ci.matchAll(/node: \{ title: "([^"]+)" label: "([^"]*)"/g)) {
    const b = /\\n(\d+) bytes \((static|dynamic|dynamic,bounded)\)/.exec(x[2]);
    if (b) own.set(x[1], Number(b[1]));
  }
  for (const x of ci.matchAll(/edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"/g)) edges.set(x[1], [...(edges.get(x[1]) ?? []), x[2]]);
  const unknown = new Set<string>(), memo = new Map<string, number>();
  const depth = (f: string, seen: Set<string>): number => {
    if (memo.has(f)) return memo.get(f)!;
    if (!own.has(f)) { if (!/^(memset|memcpy|memmove|memcmp|__aeabi_\w+)$/.test(f)) unknown.add(f); /* libgcc's helpers: small leaf frames */ return 0; }
    if (seen.has(f)) return 0; // recursion: not in generated code
    seen.add(f);
    const d = own.get(f)! + Math.max(0, ...(edges.get(f) ?? []).map((g) => depth(g, seen)));
    seen.delete(f);
    memo.set(f, d);
    return d;
  };
  return { bytes: depth(root, new Set()), unknown: [...unknown].sort() };
}

/** Measures (or, without arm-none-eabi-gcc, estimates) flash and RAM for the board. */
export async function measureBudget(r: CompileResult, b: Board): Promise<Budget> {
  const N = r.program.name, arena = r.program.arenaSize;
  const weights = r.program.bufs.filter((x) => x.role === 'const' && x.data).reduce((a, x) => a + byteSize(x.dtype, x.size), 0);
  if (!(await haveArmToolchain())) {
    // about one byte of Thumb-2 per 5 bytes of kernel C is what GCC -O2 gives on the node cases
    const c = r.files[`${N}.c`] as string;
    const code = Math.round(c.replace(/\{[^{}]*\}\s*;/g, '').length / 5);
    const stack = 64 + 128 * 2;
    return { how: 'estimated', code, weights, staticRam: 0, arena, stack, unknownStack: [], flash: code + weights, ram: arena + stack };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnxc-budget-'));
  try {
    for (const [f, data] of Object.entries(r.files)) fs.writeFileSync(path.join(dir, f), data);
    const c = await exec(ARM_CC, [...boardFlags(b), '-fcallgraph-info=su', '-I', '.', '-c', `${N}.c`, '-o', `${N}.o`], { cwd: dir });
    if (c.code !== 0) throw new CompileError(`${ARM_CC} failed on ${N}.c: ${c.stderr.split('\n').filter((l) => /error/.test(l)).slice(0, 3).join(' | ')}`);
    const sz = await exec(ARM_CC.replace(/gcc$/, 'size'), ['-A', `${N}.o`], { cwd: dir });
    const s = sections(sz.stdout);
    const sum = (re: RegExp) => [...s].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);
    const text = sum(/^\.text/), rodata = sum(/^\.rodata/), data = sum(/^\.data/), bss = sum(/^\.bss/);
    const st = worstStack(fs.readFileSync(path.join(dir, `${N}.ci`), 'utf8'), `${N}_run`);
    const code = text + Math.max(0, rodata - weights);
    return { how: 'measured', code, weights: Math.min(weights, rodata), staticRam: data + bss, arena, stack: st.bytes, unknownStack: st.unknown,
      flash: text + rodata + data, ram: arena + data + bss + st.bytes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The report `onnxc compile --cpu cortex-m*` prints. */
export function budgetLines(x: Budget, b: Board): string[] {
  const kb = (n: number) => (n >= 10240 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
  const t = b.typical;
  return [
    `flash: ${x.flash} bytes (code ${x.code} + weights ${x.weights}${x.how === 'estimated' ? '; estimated: arm-none-eabi-gcc not found' : ', arm-none-eabi-size'}) — ${kb(x.flash)} of ${kb(t.flash)} on a ${t.part}`,
    `RAM: ${x.ram} bytes (arena ${x.arena} + stack ${x.stack}${x.staticRam ? ` + static ${x.staticRam}` : ''}${x.how === 'estimated' ? ', stack estimated' : ', worst-case stack from -fcallgraph-info'}` +
      `${x.unknownStack.length ? `, plus ${x.unknownStack.join(', ')}` : ''}) — ${kb(x.ram)} of ${kb(t.ram)} on a ${t.part}`,
  ];
}
