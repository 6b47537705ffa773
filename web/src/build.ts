// Everything the page makes from a dropped model, without touching the DOM: the inspect summary,
// the C files (zipped) and the WASM module + loader, and the arena picture of the WASM program.
import { zipSync, strToU8 } from 'fflate';
import { CompileResult, compileWith, defaultName } from '../../src/compile.js';
import { importModel } from '../../src/onnx/importModel.js';
import { arenaBuffers } from '../../src/report/arenaBuffers.js';
import { memorySvg } from '../../src/report/memorySvg.js';
import { ModelSummary, summarizeModel } from '../../src/report/modelSummary.js';
import { BROWSER_ENV } from './env.js';

export interface PageBuild {
  name: string;
  summary: ModelSummary;
  c: CompileResult;
  wasm: CompileResult;
  /** NAME_c.zip: the C output folder. */
  zip: Uint8Array;
  svg: string;
  ms: number;
}

// a fixed time stamp keeps the zip the same for the same model (DOS dates start in 1980)
const ZIP_TIME = new Date(Date.UTC(1980, 0, 1, 12));

/** The C files as a .zip, in name order. */
export function zipFiles(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries = Object.keys(files).sort().map((f) => {
    const data = files[f];
    return [f, typeof data === 'string' ? strToU8(data) : data] as const;
  });
  return zipSync(Object.fromEntries(entries), { level: 6, mtime: ZIP_TIME });
}

/** Compiles the bytes of `fileName` for C and WASM (each from its own import: compiling changes the model). */
export function buildModel(bytes: Uint8Array, fileName: string): PageBuild {
  const t0 = performance.now();
  const name = defaultName(fileName);
  const summary = summarizeModel(importModel(bytes, fileName));
  const c = compileWith(importModel(bytes, fileName), { target: 'c', name }, BROWSER_ENV);
  const wasm = compileWith(importModel(bytes, fileName), { target: 'wasm', name }, BROWSER_ENV);
  return {
    name, summary, c, wasm, zip: zipFiles(c.files),
    svg: memorySvg(arenaBuffers(wasm.program)), ms: performance.now() - t0,
  };
}
