// NumPy .npy I/O: the JS reader/writer (src/onnx/npy.ts) and the C one (runtime-c/onnxc_npy.c)
// against hand-built bytes, each other, numpy itself when python3 has it, and malformed files;
// `onnxc run` with .npy inputs and outputs on the C and WASM targets.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../dist/src/onnx/npy.js';
import { encodeTensor, parseTensor } from '../dist/src/onnx/tensorProto.js';
import { ModelBuilder } from '../dist/src/onnx/build.js';
import { tensorFrom, toNumbers } from '../dist/ir/tensor.js';
import { ROOT, cli, tmpDir } from './helpers.js';

const dir = tmpDir('onnxc-npy-');
const RT = path.join(ROOT, 'runtime-c');
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;

/** One tensor per dtype .npy holds, with values that exercise sign and width. */
const SAMPLES = [
  tensorFrom('float32', [2, 3], [0, -1.5, 2.25, 1e-8, 3e38, -0]),
  tensorFrom('float64', [3], [Math.PI, -1e300, 5e-324]),
  tensorFrom('float16', [2, 2], [1, -2, 0.5, 65504].map((v) => v)),
  tensorFrom('int8', [4], [-128, -1, 0, 127]),
  tensorFrom('int16', [2], [-32768, 32767]),
  tensorFrom('int32', [1, 2], [-2147483648, 2147483647]),
  tensorFrom('int64', [2], [-(2n ** 63n), 2n ** 63n - 1n]),
  tensorFrom('uint8', [3], [0, 128, 255]),
  tensorFrom('uint16', [2], [0, 65535]),
  tensorFrom('uint32', [2], [0, 4294967295]),
  tensorFrom('uint64', [1], [2n ** 64n - 1n]),
  tensorFrom('bool', [2, 1, 2], [1, 0, 0, 1]),
  tensorFrom('float32', [], [7]),
  tensorFrom('int32', [0, 3], []),
];
const DESCR: Record<string, string> = { float32: '<f4', float64: '<f8', float16: '<f2', int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8', uint8: '|u1', uint16: '<u2', uint32: '<u4', uint64: '<u8', bool: '|b1' };
const name = (i: number) => `s${i}_${SAMPLES[i].dtype}`;
const bytesOf = (t: { data: ArrayBufferView }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** A .npy file built by hand from its specification (not from encodeNpy). */
function handNpy(header: string, data: Uint8Array, version = 1): Buffer {
  const pre = version === 1 ? 10 : 12;
  const hlen = Math.ceil((pre + header.length + 1) / 64) * 64 - pre;
  const h = Buffer.from(header.padEnd(hlen - 1, ' ') + '\n', 'latin1');
  const len = Buffer.alloc(pre - 8);
  if (version === 1) len.writeUInt16LE(hlen); else len.writeUInt32LE(hlen);
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]), len, h, data]);
}

let npycat = '';
beforeAll(() => {
  npycat = path.join(dir, 'npycat');
  const r = spawnSync('gcc', ['-std=c99', '-O1', '-g', '-Wall', '-Wextra', '-Werror', '-pedantic', '-fsanitize=address,undefined', '-fno-sanitize-recover=all',
    '-I', RT, '-o', npycat, path.join(ROOT, 'test/runtime-c/npycat.c'), path.join(RT, 'onnxc_npy.c'), path.join(RT, 'onnxc_pb.c')], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  SAMPLES.forEach((t, i) => fs.writeFileSync(path.join(dir, `${name(i)}.npy`), encodeNpy(t)));
}, 60_000);

const cat = (...args: string[]) => spawnSync(npycat, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });

describe('JS .npy', () => {
  it('writes what the format specifies, byte for byte', () => {
    for (const t of SAMPLES) {
      const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
      const want = handNpy(`{'descr': '${DESCR[t.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`, bytesOf(t));
      expect(Buffer.from(encodeNpy(t)).equals(want), t.dtype).toBe(true);
      expect(want.indexOf(0x0a) % 64).toBe(63); // header ends with '\n' on a 64-byte boundary
    }
  });
  it('reads every dtype back, and versions 2.0/3.0, key order and spacing as Python writes them', () => {
    for (const t of SAMPLES) {
      const back = parseNpy(encodeNpy(t));
      expect([back.dtype, back.shape]).toEqual([t.dtype, t.shape]);
      expect(bytesOf(back).equals(bytesOf(t))).toBe(true);
    }
    const data = new Uint8Array(new Float32Array([1, 2]).buffer);
    for (const h of [`{"shape":(2,),"fortran_order":False,"descr":"<f4"}`, `{'descr': '<f4', 'fortran_order': False, 'shape': (2,)}`])
      for (const v of [1, 2, 3]) expect(toNumbers(parseNpy(handNpy(h, data, v)))).toEqual([1, 2]);
  });
  it('rejects fortran order, big-endian, object, structured, unknown dtypes and malformed files with one message', () => {
    const four = new Uint8Array(4);
    const bad: [Buffer, RegExp][] = [
      [handNpy(`{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }`, four), /fortran_order/],
      [handNpy(`{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }`, four), /big-endian/],
      [handNpy(`{'descr': '|O', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8)), /object arrays/],
      [handNpy(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }`, four), /structured/],
      [handNpy(`{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }`, new Uint8Array(8)), /dtype '<c8' is not supported/],
      [handNpy(`{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }`, four), /4 data bytes, the shape implies 8/],
      [handNpy(`{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}`, four), /malformed/],
      [handNpy(`{'descr': '<f4', 'shape': (1,)}`, four), /lacks/],
      [Buffer.from('not numpy at all'), /bad magic/],
    ];
    for (const [bytes, re] of bad) {
      expect(() => parseNpy(bytes, 'f.npy')).toThrow(re);
      fs.writeFileSync(path.join(dir, 'bad.npy'), bytes);
      const r = cat('bad.npy', 'out.npy');
      expect([r.status, r.stderr.trim().split('\n').length], r.stderr).toEqual([1, 1]);
      expect(r.stderr).toMatch(new RegExp(`^error: bad\\.npy: .*${re.source}`));
    }
    const good = encodeNpy(SAMPLES[0]);
    for (let i = 0; i < good.length; i++) expect(() => parseNpy(good.subarray(0, i))).toThrow();
  });
});

describe('C .npy (runtime-c/onnxc_npy.c, ASan+UBSan)', () => {
  it('rewrites every JS-written file byte-identically, and converts .npy ⇄ .pb as the JS readers do', () => {
    SAMPLES.forEach((t, i) => {
      const f = `${name(i)}.npy`;
      expect(cat(f, 'c.npy').stderr).toBe('');
      expect(fs.readFileSync(path.join(dir, 'c.npy')).equals(fs.readFileSync(path.join(dir, f))), f).toBe(true);
      expect(cat(f, 'c.pb').status).toBe(0);
      const pb = parseTensor(fs.readFileSync(path.join(dir, 'c.pb')));
      expect([pb.dtype, pb.shape, bytesOf(pb).equals(bytesOf(t))]).toEqual([t.dtype, t.shape, true]);
      fs.writeFileSync(path.join(dir, 'js.pb'), encodeTensor(t, 'x'));
      expect(cat('js.pb', 'c2.npy').status).toBe(0);
      expect(fs.readFileSync(path.join(dir, 'c2.npy')).equals(fs.readFileSync(path.join(dir, f)))).toBe(true);
    });
  });
  it('survives truncations and mutations: every bad file gets a message, no sanitizer report', () => {
    const r = cat('--fuzz', ...[0, 3, 6, 11, 12].map((i) => `${name(i)}.npy`));
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ok \d+ rejected \d+ bad 0$/m);
  }, 60_000);
});

describe.skipIf(!hasNumpy)('against numpy', () => {
  it('numpy.save writes the bytes encodeNpy writes; numpy.load reads what the C writer wrote', () => {
    const script = `
import numpy as np, sys, os
d = sys.argv[1]
for f in sorted(os.listdir(d)):
    if f.startswith('s') and f.endswith('.npy'):
        a = np.load(os.path.join(d, f))
        np.save(os.path.join(d, 'np_' + f), a)
        print(f, a.dtype.str, a.shape, a.tobytes().hex())
`;
    const r = spawnSync('python3', ['-c', script, dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(SAMPLES.length);
    SAMPLES.forEach((t, i) => {
      const f = `${name(i)}.npy`;
      expect(fs.readFileSync(path.join(dir, `np_${f}`)).equals(fs.readFileSync(path.join(dir, f))), f).toBe(true);
      const line = lines.find((l) => l.startsWith(f + ' '))!;
      expect(line.split(' ')[1]).toBe(DESCR[t.dtype]);
      expect(line.endsWith(' ' + bytesOf(t).toString('hex')) || bytesOf(t).length === 0).toBe(true);
    });
  });
});

describe('onnxc run and tensor with .npy', () => {
  const b = new ModelBuilder(17);
  b.input('x', 'float32', [2, 3]);
  b.input('n', 'int64', [3]);
  b.node('Relu', ['x'], {}, { outputs: ['y'] });
  b.node('Cast', ['n'], { to: 1 }, { outputs: ['nf'] });
  b.node('Add', ['y', 'nf'], {}, { outputs: ['z'] });
  b.output('z', 'float32', [2, 3]);
  const model = path.join(dir, 'm.onnx');
  fs.writeFileSync(model, b.encode());
  fs.writeFileSync(path.join(dir, 'x.npy'), encodeNpy(tensorFrom('float32', [2, 3], [-1, 2, -3, 4, -5, 6])));
  fs.writeFileSync(path.join(dir, 'n.pb'), encodeTensor(tensorFrom('int64', [3], [10n, 20n, 30n]), 'n'));
  for (const target of ['c', 'wasm']) {
    it(`${target}: a .npy and a .pb input, .npy output, --print`, () => {
      const out = path.join(dir, `out-${target}`);
      const r = cli(['run', model, '--target', target, '-i', path.join(dir, 'x.npy'), '-i', path.join(dir, 'n.pb'), '--output-dir', out, '--output-format', 'npy', '--print']);
      expect(r.stderr).toBe('');
      expect(toNumbers(parseNpy(fs.readFileSync(path.join(out, 'output_0.npy'))))).toEqual([10, 22, 30, 14, 20, 36]);
      expect(r.stdout).toContain('z: float32 [2, 3] (6 elements)\n[[10. 22. 30.]\n [14. 20. 36.]]\nmin 10  max 36  mean 22\n');
    }, 120_000);
  }
  it('a bad .npy input is one error line', () => {
    fs.writeFileSync(path.join(dir, 'f.npy'), handNpy(`{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }`, new Uint8Array(24)));
    const r = cli(['run', model, '-i', path.join(dir, 'f.npy'), '-i', path.join(dir, 'n.pb'), '--output-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: f\.npy: fortran_order arrays are not supported[^\n]*\n$/);
  });
});
