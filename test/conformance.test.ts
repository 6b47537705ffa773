// Conformance gate: every case in test/conformance/expected-TARGET.txt must pass. Runs the
// whole suite so newly passing cases are reported (add them with npm run conformance:update).
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS, readExpected, runConformance } from '../dist/src/testing/conformance.js';

const haveData = fs.existsSync(SHARED_TESTS);
if (!haveData) console.warn(`conformance: skipped — ONNX test data not found at ${SHARED_TESTS} (clone the project next to shared/, or set ONNXC_TESTS)`);

describe.skipIf(!haveData).each(['c', 'wasm'] as const)('ONNX backend conformance, target %s', (target) => {
  it('passes every case of the expected list', async () => {
    const expected = readExpected(target);
    const r = await runConformance(target);
    console.log(`conformance ${target}: ${r.passed}/${r.results.length} pass (expected list: ${expected.length}); ` +
      `${r.newPasses.length} newly passing${r.newPasses.length ? ' — run npm run conformance:update' : ''}`);
    const lines = r.regressions.map((x) => `${x.id}: ${x.reason}`);
    expect(lines).toEqual([]);
  }, 40 * 60_000);
});
