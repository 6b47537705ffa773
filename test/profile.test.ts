// `onnxc bench --profile`: both targets report one timing per kernel step, and a profile build
// differs from a normal one only by its hook (C: onnxc_profile_step calls; WASM: one import).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileFile } from '../dist/src/api.js';
import { ROOT, cli } from './helpers.js';

const MODEL = path.join(ROOT, 'examples', 'tiny_cnn.onnx');

describe('profile builds', () => {
  for (const target of ['c', 'wasm'] as const) {
    it(`times every step on ${target}`, () => {
      const steps = compileFile(MODEL, { target, name: 'model' }).program.steps.length;
      const r = cli(['bench', MODEL, '--target', target, '--iters', '5', '--profile', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
      expect(j.profile).toHaveLength(steps);
      for (const s of j.profile) {
        expect(s.ms).toBeGreaterThanOrEqual(0);
        expect(s.label).toMatch(/^\w+ node '.*' \(\w+\)$|^copy_\d+ output/);
      }
      const total = j.profile.reduce((a: number, s: { ms: number }) => a + s.ms, 0);
      expect(total).toBeGreaterThan(0);
      const table = cli(['bench', MODEL, '--target', target, '--iters', '3', '--profile']);
      expect(table.stdout).toMatch(/profile: [\d.]+ ms per run in \d+ steps\n {2}by op:\n/);
    });
  }

  it('adds only the hook to the generated code', async () => {
    const c = compileFile(MODEL, { target: 'c', name: 'model', profile: true }).files['model.c'] as string;
    const plain = compileFile(MODEL, { target: 'c', name: 'model' }).files['model.c'] as string;
    expect(c.replace(/\n *onnxc_profile_step\([^\n]*\);/g, '')).toBe(plain);
    const wasm = compileFile(MODEL, { target: 'wasm', name: 'model', profile: true }).files['model.wasm'] as Uint8Array;
    const imports = WebAssembly.Module.imports(await WebAssembly.compile(wasm));
    expect(imports).toEqual([{ module: 'onnxc', name: 'step', kind: 'function' }]);
  });
});
