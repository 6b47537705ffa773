// The npm package as a user gets it: `npm pack`, install the tarball into an empty project
// (offline, from the npm cache that `npm ci` filled), then `npx onnxc compile`, `npx onnxc build`
// and run the program, and `import { compile } from 'onnxc'` from JavaScript and TypeScript.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { readTensorFile } from '../dist/src/runners/index.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { writeConsumer } from './consumerLock.js';
import { ROOT, tmpDir } from './helpers.js';

const MODEL = path.join(ROOT, 'examples', 'tiny_cnn.onnx');
const work = tmpDir('onnxc-pack-');
const consumer = path.join(work, 'consumer');
const INPUT = path.join(work, 'image.pb');
const pixels = Array.from({ length: 768 }, (_, i) => Math.cos(i) * 0.5);

function sh(cmd: string, args: string[], cwd = consumer) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

let files: string[] = [];

beforeAll(() => {
  // npm test built dist/ just before; `npm pack` builds it itself through the prepare script
  expect(fs.existsSync(path.join(ROOT, 'dist', 'src', 'api.d.ts')), 'run npm run build first').toBe(true);
  const pack = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], ROOT);
  expect(pack.code, pack.out).toBe(0);
  const info = JSON.parse(pack.stdout)[0] as { filename: string; files: { path: string }[] };
  files = info.files.map((f) => f.path);
  fs.mkdirSync(consumer);
  const tarball = path.join(consumer, info.filename);
  fs.renameSync(path.join(work, info.filename), tarball);
  writeConsumer(consumer, ROOT, tarball);
  const install = sh('npm', ['ci', '--offline', '--no-audit', '--no-fund']);
  expect(install.code, install.out).toBe(0);
  fs.writeFileSync(INPUT, encodeTensor(tensorFrom('float32', [1, 3, 16, 16], pixels), 'image'));
}, 180_000);

describe('npm package', () => {
  it('holds the built CLI, the runtimes and the types, and no tests', () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.prepare).toMatch(/tsc/); // npm pack and npm publish build dist/ first
    for (const f of ['bin/onnxc.js', 'dist/src/cli.js', 'dist/src/api.js', 'dist/src/api.d.ts', 'runtime-c/onnxc_main.c',
      'runtime-c/onnxc_pb.c', 'runtime-c/onnxc_runtime.h', 'runtime-cuda/onnxc_cuda.h', 'README.md']) expect(files).toContain(f);
    expect(files.filter((f) => /^(test|benchmarks|examples|dist\/benchmarks|dist\/examples)\//.test(f))).toEqual([]);
  });

  it('npx onnxc compile and npx onnxc build work from an empty project; the program runs', () => {
    const c = sh('npx', ['--offline', 'onnxc', 'compile', MODEL, '-o', 'out']);
    expect(c.code, c.out).toBe(0);
    expect(fs.readdirSync(path.join(consumer, 'out')).sort()).toEqual(['onnxc_runtime.h', 'tiny_cnn.c', 'tiny_cnn.h', 'tiny_cnn.weights.bin']);
    const b = sh('npx', ['--offline', 'onnxc', 'build', MODEL, '-o', 'tiny']);
    expect(b.code, b.out).toBe(0);
    const run = sh(path.join(consumer, 'tiny'), ['-i', INPUT, '-o', 'res']);
    expect(run.code, run.out).toBe(0);
    const y = readTensorFile(path.join(consumer, 'res', 'output_0.pb'));
    expect(y.shape).toEqual([1, 10]);
    const p = y.data as Float32Array; // softmax probabilities
    expect(p.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    fs.writeFileSync(path.join(consumer, 'probabilities.json'), JSON.stringify([...p]));
  });

  it("import { compile } from 'onnxc': bytes to C and to WebAssembly that runs", () => {
    const script = path.join(consumer, 'api.mjs');
    fs.writeFileSync(script, `import fs from 'node:fs';
import { compile, writeFiles } from 'onnxc';
const bytes = fs.readFileSync(process.argv[2]);
const c = compile(bytes, { name: 'net' });
const wasm = compile(new Uint8Array(bytes), { target: 'wasm', name: 'net' });
writeFiles('wasm-out', wasm.files);
const { load } = await import('./wasm-out/net.js');
const model = await load();
const { probabilities } = model.run({ image: Float32Array.from(JSON.parse(process.argv[3])) });
console.log(JSON.stringify({ c: Object.keys(c.files).sort(), wasm: Object.keys(wasm.files).sort(), probabilities: [...probabilities.data] }));
`);
    const r = sh(process.execPath, [script, MODEL, JSON.stringify(pixels)]);
    expect(r.code, r.out).toBe(0);
    const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(j.c).toEqual(['net.c', 'net.h', 'net.weights.bin', 'onnxc_runtime.h']);
    expect(j.wasm).toEqual(['net.d.ts', 'net.js', 'net.wasm']);
    const fromC = JSON.parse(fs.readFileSync(path.join(consumer, 'probabilities.json'), 'utf8')) as number[];
    j.probabilities.forEach((v: number, i: number) => expect(v).toBeCloseTo(fromC[i], 5));
  });

  it('comes with types: a TypeScript consumer type-checks, and a type error is caught', () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--types', 'node', '--typeRoots', path.join(ROOT, 'node_modules', '@types')];
    fs.writeFileSync(path.join(consumer, 'good.ts'), `import { compile, type CompileResult } from 'onnxc';
const r: CompileResult = compile(new Uint8Array(0), { target: 'wasm' });
const bytes: number = r.memory.arenaBytes;
export { bytes };
`);
    fs.writeFileSync(path.join(consumer, 'bad.ts'), `import { compile } from 'onnxc';
compile(new Uint8Array(0), { target: 'fortran' });
`);
    // one tsc run over both: the only errors are bad.ts's (tsc without the package's types would
    // also fail good.ts: no declaration file for 'onnxc')
    const r = sh(process.execPath, [tsc, ...flags, '--pretty', 'false', 'good.ts', 'bad.ts']);
    expect(r.code).not.toBe(0);
    const errors = r.out.trim().split('\n').filter((l) => /error TS/.test(l));
    expect(errors.length, r.out).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatch(/^bad\.ts\(2,.*"fortran".*Target/);
  });
});
