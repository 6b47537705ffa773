// CLI behaviour beyond bad models: usage errors as one readable line, run -o, compile --profile,
// --dim checks, bench's symbolic dims and counts, onnxc build, --emit-build, --no-simd weights.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { readTensorFile } from '../dist/src/runners/index.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { main } from '../dist/src/cli.js';
import { ROOT, tmpDir } from './helpers.js';

/** Runs the CLI in this process (a fresh node per call costs seconds of start-up), capturing its output. */
async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' }, saved = { ...process.env };
  const write = (k: 'stdout' | 'stderr') => (chunk: string | Uint8Array) => { out[k] += String(chunk); return true; };
  const so = process.stdout.write, se = process.stderr.write;
  process.stdout.write = write('stdout') as typeof so;
  process.stderr.write = write('stderr') as typeof se;
  Object.assign(process.env, env);
  try {
    return { code: await main(args), ...out };
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k]; else process.env[k] = saved[k];
  }
}

const MODEL = path.join(ROOT, 'examples', 'tiny_cnn.onnx');
const dir = tmpDir('onnxc-cli-');

/** examples/tiny_cnn.onnx's input (image, float32[1,3,16,16]) as a TensorProto file. */
const INPUT = path.join(dir, 'image.pb');
fs.writeFileSync(INPUT, encodeTensor(tensorFrom('float32', [1, 3, 16, 16], Array.from({ length: 768 }, (_, i) => Math.sin(i) * 0.5)), 'image'));

/** A Relu over float32[batch, 3]: one symbolic dimension. */
const SYMBOLIC = path.join(dir, 'symbolic.onnx');
{
  const b = new ModelBuilder(17);
  b.input('x', 'float32', ['batch', 3]);
  b.node('Relu', ['x'], {}, { outputs: ['y'] });
  b.output('y', 'float32', ['batch', 3]);
  fs.writeFileSync(SYMBOLIC, b.encode());
}

function oneError(r: { code: number; stderr: string }, code: number, message: RegExp) {
  expect(r.code, r.stderr).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(message);
}

const sh = (cmd: string, args: string[], cwd?: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });

/** The reference answer: `onnxc run` on INPUT. */
const reference = (() => {
  let out: Float32Array | undefined;
  return async () => {
    if (!out) {
      const res = path.join(dir, 'reference');
      const r = await cli(['run', MODEL, '--input', INPUT, '--output-dir', res]);
      expect(r.code, r.stderr).toBe(0);
      out = readTensorFile(path.join(res, 'output_0.pb')).data as Float32Array;
    }
    return out;
  };
})();

async function expectReference(pb: string) {
  const got = readTensorFile(pb).data as Float32Array;
  const want = await reference();
  expect(got.length).toBe(want.length);
  got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 5));
}

describe('usage errors', () => {
  it('an invalid choice names the option, the value and the choices', async () => {
    oneError(await cli(['compile', MODEL, '--target', 'fortran']), 2, /--target: invalid value 'fortran' \(choices: c, wasm, cuda, hls\)/);
    oneError(await cli(['compile', MODEL, '--weights', 'bin']), 2, /--weights: invalid value 'bin' \(choices: incbin, c\)/);
    oneError(await cli(['compile', MODEL, '--emit-build', 'ninja']), 2, /--emit-build: invalid value 'ninja' \(choices: make, cmake\)/);
  });

  it('no command prints the commands, exit 2', async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    for (const c of ['compile', 'build', 'run', 'test', 'bench', 'inspect']) expect(r.stderr).toMatch(new RegExp(`onnxc ${c} <`));
    expect(r.stderr.trim().split('\n').pop()).toBe('error: a command is required');
  });

  it('bench --iters must be a positive integer', async () => {
    oneError(await cli(['bench', MODEL, '--iters', 'abc']), 2, /--iters expects a positive integer, got 'abc'/);
    oneError(await cli(['bench', MODEL, '--iters=0']), 2, /--iters expects a positive integer, got '0'/);
  });
});

describe('symbolic dimensions', () => {
  it('--dim with a name the model lacks is an error naming its dims', async () => {
    oneError(await cli(['compile', SYMBOLIC, '--dim', 'N=2', '-o', path.join(dir, 'no')]), 1, /no symbolic dimension 'N' \(its symbolic dimensions: batch\)/);
    oneError(await cli(['compile', MODEL, '--dim', 'N=2', '-o', path.join(dir, 'no')]), 1, /no symbolic dimension 'N' \(it has none\)/);
    expect(fs.existsSync(path.join(dir, 'no'))).toBe(false);
    expect((await cli(['compile', SYMBOLIC, '--dim', 'batch=2', '-o', path.join(dir, 'yes')])).code).toBe(0);
  });

  it('bench refuses an unbound dim as compile does', async () => {
    const compile = await cli(['compile', SYMBOLIC, '-o', path.join(dir, 'unbound')]);
    oneError(compile, 1, /symbolic dimension 'batch'; bind it with --dim batch=VALUE/);
    oneError(await cli(['bench', SYMBOLIC, '--iters', '1']), 1, /symbolic dimension 'batch'; bind it with --dim batch=VALUE/);
  });
});

describe('compile', () => {
  it('--profile emits the profiling build', async () => {
    const out = path.join(dir, 'profile');
    expect((await cli(['compile', MODEL, '--profile', '-o', out])).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'tiny_cnn.c'), 'utf8')).toMatch(/onnxc_profile_step\(0, /);
    oneError(await cli(['compile', MODEL, '--profile', '--target', 'cuda', '-o', path.join(dir, 'pcuda')]), 2, /--profile is for --target c and wasm/);
  });

  it('--no-simd writes weights as C arrays: no .incbin, no GNU assembler', async () => {
    const out = path.join(dir, 'nosimd');
    expect((await cli(['compile', MODEL, '--no-simd', '-o', out])).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['onnxc_runtime.h', 'tiny_cnn.c', 'tiny_cnn.h']);
    const c = fs.readFileSync(path.join(out, 'tiny_cnn.c'), 'utf8');
    expect(c).not.toMatch(/incbin|__asm__/);
    const r = sh('gcc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic-errors', '-c', 'tiny_cnn.c', '-o', 'tiny_cnn.o'], out);
    expect(r.status, r.stderr).toBe(0);
    // an explicit --weights incbin still wins
    const inc = path.join(dir, 'nosimd-incbin');
    expect((await cli(['compile', MODEL, '--no-simd', '--weights', 'incbin', '-o', inc])).code).toBe(0);
    expect(fs.existsSync(path.join(inc, 'tiny_cnn.weights.bin'))).toBe(true);
  });
});

describe('run', () => {
  it('-o names the output folder', async () => {
    const out = path.join(dir, 'run-o');
    const r = await cli(['run', MODEL, '--input', INPUT, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    await expectReference(path.join(out, 'output_0.pb'));
    oneError(await cli(['run', MODEL, '--input', INPUT, '-o', out, '--output-dir', path.join(dir, 'other')]), 2, /-o and --output-dir name different folders/);
  });
});

describe('onnxc build', () => {
  it('builds a program that runs and creates its -o folder', async () => {
    const exe = path.join(dir, 'bin', 'tiny');
    const r = await cli(['build', MODEL, '-o', exe]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run: .*tiny -i input_0\.pb -o out\//m);
    const res = path.join(dir, 'built-out', 'nested');
    const run = sh(exe, ['-i', INPUT, '-o', `${res}/`]);
    expect(run.status, run.stderr).toBe(0);
    await expectReference(path.join(res, 'output_0.pb'));
  });

  it('a missing compiler or a non-C target is one error line, and no program', async () => {
    const exe = path.join(dir, 'nocc');
    oneError(await cli(['build', MODEL, '-o', exe], { CC: path.join(dir, 'no-such-cc') }), 1, /CC is '.*no-such-cc', but .* is not an executable/);
    oneError(await cli(['build', MODEL, '--target', 'wasm', '-o', exe]), 2, /onnxc build makes a program from C/);
    expect(fs.existsSync(exe)).toBe(false);
  });
});

const hasCmake = sh('cmake', ['--version']).status === 0;
if (!hasCmake) console.warn('cli test: --emit-build cmake skipped — cmake not found');

describe('compile --emit-build', () => {
  it('make: builds libNAME.a and a program that runs', async () => {
    const out = path.join(dir, 'mk');
    expect((await cli(['compile', MODEL, '--emit-build', 'make', '-o', out])).code).toBe(0);
    const r = sh('make', ['-C', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'libtiny_cnn.a'))).toBe(true);
    const run = sh(path.join(out, 'tiny_cnn'), ['-i', INPUT, '-o', path.join(out, 'res')]);
    expect(run.status, run.stderr).toBe(0);
    await expectReference(path.join(out, 'res', 'output_0.pb'));
  });

  it.skipIf(!hasCmake)('cmake: an out-of-tree build finds the weights and runs', async () => {
    const out = path.join(dir, 'cm'), build = path.join(dir, 'cm-build');
    expect((await cli(['compile', MODEL, '--emit-build', 'cmake', '-o', out])).code).toBe(0);
    for (const args of [['-S', out, '-B', build], ['--build', build]]) {
      const r = sh('cmake', args);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
    expect(fs.existsSync(path.join(build, 'libtiny_cnn.a'))).toBe(true);
    const run = sh(path.join(build, 'tiny_cnn'), ['-i', INPUT, '-o', path.join(build, 'res')]);
    expect(run.status, run.stderr).toBe(0);
    await expectReference(path.join(build, 'res', 'output_0.pb'));
  });

  it('is for --target c only', async () => {
    oneError(await cli(['compile', MODEL, '--emit-build', 'make', '--target', 'wasm', '-o', path.join(dir, 'mkw')]), 2, /--emit-build writes C build files; it needs --target c/);
  });
});
