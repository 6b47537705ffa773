// Issue 12's detector: torchvision's SSDlite (ssdlite320_mobilenet_v3_large, seeded weights,
// test/export_ssdlite.py) compiled once to C and to WASM, run on a seeded image and compared
// with onnxruntime-node: the same number of boxes, the same boxes, scores and labels. Its
// post-processing is the run-time-dim machinery end to end: NonZero per class, TopK with
// K = min(count, 300), a Concat of 90 run-time parts (a derived dim), an If whose branches differ
// in shape (guarded nodes), a batched NonMaxSuppression over up to 27,000 boxes. Runs where
// /usr/bin/python3 has torchvision (CI installs python3-torchvision).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { seededRandom } from '../dist/src/onnx/build.js';
import { encodeTensor } from '../dist/src/onnx/tensorProto.js';
import { getRunner } from '../dist/src/runners/index.js';
import { compareTensors } from '../dist/src/testing/compare.js';
import { tensorFrom } from '../dist/ir/tensor.js';
import { tmpDir } from './helpers.js';

const dir = tmpDir('onnxc-ssdlite-');

/** The export (extra: the head's scale and bias spread), or why there is none. */
function exportSsd(name: string, extra: string[]): { file?: string; why?: string } {
  const out = path.join(dir, name);
  const r = spawnSync('/usr/bin/python3', [path.join(import.meta.dirname, 'export_ssdlite.py'), out, ...extra], { encoding: 'utf8' });
  return r.status === 0 ? { file: out } : { why: (r.stderr || r.error?.message || '').trim().split('\n').pop() };
}

const MODELS = [
  { label: 'seeded', ...exportSsd('ssdlite.onnx', []) },
  // scores that spread: classes with few candidates (K < 300), boxes NMS suppresses
  { label: 'seeded, sharpened head', ...exportSsd('ssdlite_sharp.onnx', ['40', '2']) },
];
const missing = MODELS.find((m) => !m.file);
if (missing) console.log(`ssdlite: skipped: /usr/bin/python3 cannot export it (${missing.why})`);

const r = seededRandom(7), shape = [3, 320, 320];
const image = tensorFrom('float32', shape, Array.from({ length: 3 * 320 * 320 }, () => r()));
const imageFile = path.join(dir, 'images.pb');
fs.writeFileSync(imageFile, encodeTensor(image, 'images'));

describe.skipIf(!!missing).each(MODELS)('SSDlite ($label) against onnxruntime', ({ label, file }) => {
  for (const target of ['c', 'wasm'] as const) {
    it(`${target}: the same boxes, scores and labels`, async () => {
      const sess = await ort.InferenceSession.create(file!, { intraOpNumThreads: 1, logSeverityLevel: 3 });
      const ref = await sess.run({ images: new ort.Tensor('float32', image.data as Float32Array, shape) });
      const res = compileFile(file!, { target, name: 'ssd', verify: true });
      const runner = getRunner(target, res.cpu), tag = `${target}_${label.length}`;
      const handle = await runner.build(res, path.join(dir, tag));
      const got = await runner.run(handle, [imageFile], path.join(dir, `${tag}_out`), 3);
      expect(ref.scores.dims[0]).toBeGreaterThan(0);
      sess.outputNames.forEach((name, i) => {
        const t = ref[name], want = tensorFrom(t.type as never, [...t.dims], Array.from(t.data as ArrayLike<number | bigint>));
        expect(got[i].shape, `${name}: number of boxes`).toEqual(want.shape);
        expect(compareTensors(got[i], want), name).toBeNull();
      });
    }, 900_000);
  }
});
