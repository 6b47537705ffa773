// Conformance gate: every case in test/conformance/expected-TARGET.txt must pass. Runs the
// whole suite so newly passing cases are reported (add them with npm run conformance:update).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, readExpected, runConformance } from '../dist/src/testing/conformance.js';

const haveData = fs.existsSync(SHARED_TESTS);
if (!haveData) console.warn(`conformance: skipped — ONNX test data not found at ${SHARED_TESTS} (clone the project next to shared/, or set ONNXC_TESTS)`);

// CUDA runs in the host emulation here (g++ builds of 24 cases each): npm test checks every 8th
// case of its list; .ci/run sets ONNXC_CUDA_EVERY=1 (and ONNXC_HLS_EVERY=1) to check the whole
// list (as npm run conformance:check -- cuda does).
const CUDA_EVERY = Number(process.env.ONNXC_CUDA_EVERY ?? 8);
// HLS C-simulation (a g++ build per batch, every design linted): every 8th case here too
const HLS_EVERY = Number(process.env.ONNXC_HLS_EVERY ?? 8);
const EVERY: Record<string, number> = { cuda: CUDA_EVERY, hls: HLS_EVERY };

describe.skipIf(!haveData).each(['c', 'wasm', 'cuda', 'hls'] as const)('ONNX backend conformance, target %s', (target) => {
  it('passes every case of the expected list', async () => {
    const expected = readExpected(target), every = EVERY[target] ?? 1;
    const sample = every > 1 ? new Set(expected.filter((_, i) => i % every === 0)) : undefined;
    const r = await runConformance(target, { only: sample });
    if (sample) console.log(`conformance ${target}: a sample of ${sample.size} cases (every ${every}th of the list; npm run conformance:check -- ${target} runs all of it)`);
    console.log(`conformance ${target}: ${r.passed}/${r.results.length} pass (expected list: ${expected.length}); ` +
      `${r.newPasses.length} newly passing${r.newPasses.length ? ' — run npm run conformance:update' : ''}`);
    const lines = r.regressions.map((x) => `${x.id}: ${x.reason}`);
    expect(lines).toEqual([]);
  }, 40 * 60_000);
});
