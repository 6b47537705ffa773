// Runs the compiled WASM module in the page through its own generated loader (imported from a
// blob: URL, given the module's bytes), on seeded random inputs (src/runners/seeded.ts).
import { Program } from '../../ir/kernel.js';
import { seededInputs } from '../../src/runners/seeded.js';

export interface PageOutput { name: string; dtype: string; shape: number[]; values: string[] }

interface Loader {
  load(source: Uint8Array): Promise<{ run(inputs: ArrayBufferView[]): Record<string, { dtype: string; shape: number[]; data: ArrayLike<number | bigint> }> }>;
}

/** Loads NAME.js + NAME.wasm and runs them once on the inputs seeded by `seed`. */
export async function runWasm(files: Record<string, string | Uint8Array>, name: string, program: Program, seed: number): Promise<{ outputs: PageOutput[]; ms: number }> {
  const url = URL.createObjectURL(new Blob([files[`${name}.js`] as string], { type: 'text/javascript' }));
  try {
    const loader = (await import(/* @vite-ignore */ url)) as Loader;
    const model = await loader.load(files[`${name}.wasm`] as Uint8Array);
    const inputs = seededInputs(program, seed).map((t) => t.data);
    const t0 = performance.now();
    const outs = model.run(inputs);
    const ms = performance.now() - t0;
    // String() of a float32 widened to a double reads back to the same bits: the values are exact
    const outputs = Object.entries(outs).map(([k, o]) => ({ name: k, dtype: o.dtype, shape: o.shape, values: Array.from(o.data, String) }));
    return { outputs, ms };
  } finally {
    URL.revokeObjectURL(url);
  }
}
