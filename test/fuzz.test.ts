// The fuzzer in the test suite: seeded mutants of the node-suite models (byte-level and
// structured edits, src/testing/fuzz/) compiled on C and WASM; every one must compile or end in
// a clean one-line error. A share of the compiled ones is also built (cc -Werror, WebAssembly.Module)
// to catch broken output. Any internal error, JavaScript text, hang or crash fails with the seed
// and case to reproduce. The long run: npm run fuzz -- --count N --seed S [--target wasm].
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SHARED_TESTS } from '../dist/src/testing/conformance.js';
import { failures, reproduce, runFuzz } from '../dist/src/testing/fuzz/fuzz.js';

const have = fs.existsSync(`${SHARED_TESTS}/node`);
const RUNS = [
  { target: 'c' as const, count: 2000, buildEvery: 40 },
  { target: 'wasm' as const, count: 600, buildEvery: 4 },
];

describe.skipIf(!have)('fuzz: mutated models compile or fail cleanly', () => {
  for (const r of RUNS) {
    it(`${r.count} mutants on ${r.target}`, async () => {
      const o = { seed: 20261201, jobs: 2, caseTimeoutMs: 60_000, ...r };
      const lines = await runFuzz(o);
      expect(lines.length).toBe(r.count);
      const bad = failures(lines).map((c) => reproduce(o, c));
      expect(bad, bad.join('\n')).toEqual([]);
      // the mutants reach code generation, not only the parser
      expect(lines.filter((c) => c.status === 'ok').length).toBeGreaterThan(r.count / 20);
    }, 300_000);
  }
});
