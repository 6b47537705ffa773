// Which model a fuzz case mutates and with which seed: a pure function of (seed, case index)
// over the sorted node-suite models plus the bundled example, so a case reproduces anywhere.
import fs from 'node:fs';
import path from 'node:path';
import { SHARED_TESTS } from '../conformance.js';
import { seededRandom as rng } from '../../onnx/build.js';

const ROOT = new URL('../../../../', import.meta.url).pathname;
let models: string[] | undefined;

/** Models the fuzzer mutates: every node-suite model.onnx (sorted) and examples/tiny_cnn.onnx. */
export function fuzzModels(): string[] {
  if (!models) {
    const node = path.join(SHARED_TESTS, 'node');
    const cases = fs.existsSync(node) ? fs.readdirSync(node).sort().map((d) => path.join(node, d, 'model.onnx')).filter((f) => fs.existsSync(f)) : [];
    models = [...cases, path.join(ROOT, 'examples', 'tiny_cnn.onnx')];
  }
  return models;
}

/** The model index and mutant seed of case i of a run. */
export function caseOf(seed: number, i: number, n: number): { model: number; mutantSeed: number } {
  const r = rng((seed * 0x9e3779b1 + i * 0x85ebca6b) >>> 0);
  return { model: Math.floor(r() * n), mutantSeed: Math.floor(r() * 2 ** 32) };
}
