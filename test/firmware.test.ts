// Cortex-M rows: ARM builds warning-free with and without --freestanding (and freestanding
// objects need nothing but libgcc's helpers), QEMU conformance on a sample of
// expected-cortex-m4.txt (.ci/run checks the whole list), the flash/RAM report and --max-ram
// (both outcomes), and --freestanding numerics on the host. Skipped without arm-none-eabi-gcc.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, conformanceCases, readExpected, runConformance } from '../dist/src/testing/conformance.js';
import { runTests } from '../dist/src/testing/runTests.js';
import { ROOT, cli, tmpDir } from './helpers.js';

const haveArm = spawnSync('arm-none-eabi-gcc', ['--version']).status === 0 && spawnSync('qemu-system-arm', ['--version']).status === 0;
if (!haveArm) console.warn('firmware: skipped — install gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm');
const haveData = fs.existsSync(SHARED_TESTS);
const TINY = path.join(ROOT, 'examples', 'tiny_cnn.onnx');
const M4 = ['-mcpu=cortex-m4', '-mthumb', '-mfloat-abi=hard', '-mfpu=fpv4-sp-d16', '-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'];
// every 40th case of the list here (about 45 cases, ~1 s each); .ci/run sets
// ONNXC_FIRMWARE_EVERY=1 to run the whole list
const EVERY = Number(process.env.ONNXC_FIRMWARE_EVERY ?? 40);
// math-heavy cases for --freestanding: every function of the generated math library is used
const MATH = /^test_(exp|log|sin|cos|tan|asin|acos|atan|sinh|cosh|tanh|asinh|acosh|atanh|erf|pow|mod_mixed_sign_float32|sqrt|floor|ceil|round|softplus|gelu_default_1|mish)(_example)?$/;

function armObject(dir: string, file: string, extra: string[] = []): { code: number; stderr: string; undefinedSyms: string[] } {
  const obj = path.join(dir, 'x.o');
  const c = spawnSync('arm-none-eabi-gcc', [...M4, ...extra, '-I', '.', '-c', file, '-o', obj], { cwd: dir, encoding: 'utf8' });
  const nm = c.status === 0 ? spawnSync('arm-none-eabi-nm', ['-u', obj], { encoding: 'utf8' }).stdout : '';
  return { code: c.status ?? -1, stderr: c.stderr, undefinedSyms: nm.split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter(Boolean) };
}

describe('where the RAM goes', () => {
  it('inspect names the peak step and its largest buffers', () => {
    const r = cli(['inspect', TINY]);
    expect(r.stdout).toMatch(/RAM peak: 35840 bytes of temporaries live at step 0 \(Conv_0[^\n]*\n +27648 B {2}conv0_col /);
  });
});

describe.skipIf(!haveArm)('Cortex-M builds', () => {
  it.each([[false], [true]])('tiny_cnn builds warning-free for cortex-m4 (freestanding: %s), .incbin weights included', (free) => {
    const dir = tmpDir();
    const r = cli(['compile', TINY, '--cpu', 'cortex-m4', '-o', dir, ...(free ? ['--freestanding'] : [])]);
    expect(r.stderr).toBe('');
    const o = armObject(dir, 'tiny_cnn.c');
    expect(o.stderr).toBe('');
    if (free) expect(o.undefinedSyms.filter((s) => !s.startsWith('__aeabi_'))).toEqual([]);
    else expect(o.undefinedSyms).toContain('expf');
  });

  it('bench counts instructions per inference under QEMU -icount', () => {
    const r = cli(['bench', TINY, '--cpu', 'cortex-m4', '--iters', '1', '--json']);
    const j = JSON.parse(r.stdout);
    expect(j.cpu).toBe('cortex-m4');
    // about 2.6 instructions per multiply-accumulate (129,184 MACs); SysTick counts in steps of 40
    expect(j.instructions).toBeGreaterThan(129_184);
    expect(j.instructions).toBeLessThan(129_184 * 10);
  });

  const clang = ['clang', 'clang-14'].find((c) => spawnSync(c, ['--version']).status === 0);
  it.skipIf(!clang).each([[false], [true]])('tiny_cnn builds warning-free with clang for ARM (freestanding: %s)', (free) => {
    const dir = tmpDir();
    cli(['compile', TINY, '--cpu', 'cortex-m4', '-o', dir, ...(free ? ['--freestanding'] : [])]);
    const c = spawnSync(clang!, ['--target=arm-none-eabi', ...M4, ...(free ? ['-ffreestanding'] : ['--sysroot=/usr/lib/arm-none-eabi']), '-I', '.', '-c', 'tiny_cnn.c', '-o', 'x.o'], { cwd: dir, encoding: 'utf8' });
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
  });

  it('reports flash and RAM, measured', () => {
    const r = cli(['compile', TINY, '--cpu', 'cortex-m4', '-o', tmpDir()]);
    expect(r.stdout).toMatch(/flash: \d+ bytes \(code \d+ \+ weights 2152, arm-none-eabi-size\)/);
    expect(r.stdout).toMatch(/RAM: \d+ bytes \(arena 35840 \+ stack \d+, worst-case stack/);
  });

  it('--max-ram below the default arena fits by changing the plan', () => {
    const dir = tmpDir();
    const r = cli(['compile', TINY, '--cpu', 'cortex-m4', '-o', dir, '--max-ram', '30000']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--max-ram 30000: fits in \d+ bytes \(convolutions without im2col buffers/);
    expect(Number(/arena: (\d+)/.exec(r.stdout)![1])).toBeLessThan(30000);
  });

  it('--max-ram below any plan fails with one error line and writes nothing', () => {
    const dir = path.join(tmpDir(), 'out');
    const r = cli(['compile', TINY, '--cpu', 'cortex-m4', '-o', dir, '--max-ram', '5000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: --max-ram 5000: the model needs \d+ bytes of RAM at its peak \(arena \d+ \+ stack \d+;[^\n]*\)\n$/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe.skipIf(!haveArm || !haveData)('Cortex-M4 conformance under QEMU', () => {
  it('passes a sample of expected-cortex-m4.txt', async () => {
    const list = readExpected('cortex-m4');
    const sample = new Set(list.filter((_, i) => i % EVERY === 0));
    const r = await runConformance('cortex-m4', { only: sample });
    console.log(`conformance cortex-m4: ${r.passed}/${r.results.length} of ${EVERY > 1 ? `a sample of ${sample.size} (every ${EVERY}th; .ci/run runs all ${list.length})` : `the whole list of ${list.length}`}`);
    expect(r.regressions.map((x) => `${x.id}: ${x.reason}`)).toEqual([]);
  }, (EVERY > 1 ? 15 : 45) * 60_000);

  it('runs --freestanding math under QEMU', async () => {
    const cases = conformanceCases(['node']).filter((c) => /^test_(erf|pow|tanh|softplus)$/.test(c.name));
    const r = await runTests(cases, { target: 'c', cpu: 'cortex-m4', freestanding: true, jobs: 2 });
    expect(r.filter((x) => x.status !== 'pass')).toEqual([]);
    expect(r).toHaveLength(4);
  }, 5 * 60_000);
});

describe.skipIf(!haveData)('--freestanding math on the host', () => {
  it('passes the math-heavy node cases', async () => {
    const cases = conformanceCases(['node']).filter((c) => MATH.test(c.name));
    const r = await runTests(cases, { target: 'c', freestanding: true, jobs: 2 });
    expect(r.filter((x) => x.status !== 'pass')).toEqual([]);
    expect(r.length).toBeGreaterThan(25);
  }, 5 * 60_000);
});
