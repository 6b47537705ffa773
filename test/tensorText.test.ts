// Tensors as text (src/tensorText.ts) and `onnxc tensor FILE`: numpy-style summaries.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tensorFrom } from '../dist/ir/tensor.js';
import { encodeNpy } from '../dist/src/onnx/npy.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { tensorStats, tensorText, valuesText } from '../dist/src/tensorText.js';
import { cli, tmpDir } from './helpers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('valuesText', () => {
  it('prints small tensors whole, aligned, rows on their own lines and blocks apart', () => {
    expect(valuesText(tensorFrom('int32', [2, 3], [1, -20, 3, 4, 5, 600]))).toBe('[[  1 -20   3]\n [  4   5 600]]');
    expect(valuesText(tensorFrom('float32', [2, 1, 2], [0.5, -1, 2, 3]))).toBe('[[[ 0.5000 -1.0000]]\n\n [[ 2.0000  3.0000]]]');
    expect(valuesText(tensorFrom('float32', [3], [1, 2, NaN]))).toBe('[ 1.  2. nan]');
    expect(valuesText(tensorFrom('float64', [2], [1e-7, 3]))).toBe('[1.0000e-7 3.0000e+0]');
    expect(valuesText(tensorFrom('bool', [2], [1, 0]))).toBe('[ True False]');
    expect(valuesText(tensorFrom('int64', [1], [2n ** 62n + 1n]))).toBe('[4611686018427387905]');
    expect(valuesText(tensorFrom('float32', [], [7]))).toBe('7.');
    expect(valuesText(tensorFrom('float32', [0, 3], []))).toBe('[]');
  });
  it('summarises past the threshold: first and last 3 along every long axis', () => {
    const t = tensorFrom('int32', [20, 100], range(2000));
    expect(valuesText(t)).toBe([
      '[[   0    1    2 ...   97   98   99]', ' [ 100  101  102 ...  197  198  199]', ' [ 200  201  202 ...  297  298  299]', ' ...',
      ' [1700 1701 1702 ... 1797 1798 1799]', ' [1800 1801 1802 ... 1897 1898 1899]', ' [1900 1901 1902 ... 1997 1998 1999]]'].join('\n'));
    expect(valuesText(tensorFrom('int32', [2000], range(2000)), { threshold: 5000 }).match(/\d+/g)!.length).toBe(2000);
    expect(valuesText(tensorFrom('int32', [10], range(10)), { threshold: 5, edge: 2 })).toBe('[0 1 ... 8 9]');
  });
});

describe('stats and onnxc tensor', () => {
  it('min/max/mean skip NaNs and count them; bool tensors have none', () => {
    expect(tensorStats(tensorFrom('float32', [4], [1, NaN, -3, 5]))).toEqual({ min: -3, max: 5, mean: 1, nans: 1 });
    expect(tensorStats(tensorFrom('bool', [1], [1]))).toBeUndefined();
    expect(tensorText('x', tensorFrom('uint8', [3], [1, 2, 6]))).toBe('x: uint8 [3] (3 elements)\n[1 2 6]\nmin 1  max 6  mean 3\n');
  });
  it('prints a .pb with its name and a .npy with its file name; bad files are one error line', () => {
    const dir = tmpDir('onnxc-tensor-');
    const t = tensorFrom('float32', [2, 2], [1, 2, 3, 4.5]);
    fs.writeFileSync(path.join(dir, 'a.pb'), encodeTensor(t, 'weights'));
    fs.writeFileSync(path.join(dir, 'a.npy'), encodeNpy(t));
    fs.writeFileSync(path.join(dir, 'bad.npy'), 'garbage');
    const body = '[[1.0000 2.0000]\n [3.0000 4.5000]]\nmin 1  max 4.5  mean 2.625\n';
    expect(cli(['tensor', path.join(dir, 'a.pb')])).toEqual({ code: 0, stdout: `weights: float32 [2, 2] (4 elements)\n${body}`, stderr: '' });
    expect(cli(['tensor', path.join(dir, 'a.npy')]).stdout).toBe(`a.npy: float32 [2, 2] (4 elements)\n${body}`);
    const bad = cli(['tensor', path.join(dir, 'bad.npy')]);
    expect([bad.code, bad.stdout, bad.stderr]).toEqual([1, '', 'error: bad.npy: not a .npy file (bad magic)\n']);
  });
});
