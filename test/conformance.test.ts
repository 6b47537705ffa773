// Conformance gate: every case in test/conformance/expected-TARGET.txt must pass. Runs the
// whole suite so newly passing cases are reported (add them with npm run conformance:update).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, readExpected, runConformance } from '../dist/src/testing/conformance.js';

const haveData = fs.existsSync(SHARED_TESTS);
if (!haveData) console.warn(`conformance: skipped — ONNX test data not found at ${SHARED_TESTS} (clone the project next to shared/, or set ONNXC_TESTS)`);

// CUDA runs in the host emulation here (a g++ build per case): npm test checks every 8th case of
// its list; .ci/run checks the whole list after npm test (npm run conformance:check -- cuda).
const CUDA_EVERY = Number(process.env.ONNXC_CUDA_EVERY ?? 8);

describe.skipIf(!haveData).each(['c', 'wasm', 'cuda'] as const)('ONNX backend conformance, target %s', (target) => {
  it('passes every case of the expected list', async () => {
    const expected = readExpected(target);
    const sample = target === 'cuda' && CUDA_EVERY > 1 ? new Set(expected.filter((_, i) => i % CUDA_EVERY === 0)) : undefined;
    const r = await runConformance(target, { only: sample });
    if (sample) console.log(`conformance cuda: a sample of ${sample.size} cases (every ${CUDA_EVERY}th of the list; the full list runs in CI)`);
    console.log(`conformance ${target}: ${r.passed}/${r.results.length} pass (expected list: ${expected.length}); ` +
      `${r.newPasses.length} newly passing${r.newPasses.length ? ' — run npm run conformance:update' : ''}`);
    const lines = r.regressions.map((x) => `${x.id}: ${x.reason}`);
    expect(lines).toEqual([]);
  }, 40 * 60_000);
});
