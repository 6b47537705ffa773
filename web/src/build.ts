// Everything the page makes from a dropped model, without touching the DOM: the inspect report
// (the same data `onnxc inspect --json` gives, its arena planned by the WASM compile), the C files
// (zipped) and the WASM module + loader, and the arena picture of the WASM program.
import { zipSync, strToU8 } from 'fflate';
import { CompileError } from '../../ir/errors.js';
import { CompileResult, compileWith, defaultName, useWasmEmitter } from '../../src/compile.js';
import { emitWasm } from '../../codegen/wasm/emitWasm.js';
import { importModel } from '../../src/onnx/importModel.js';
import { InspectReport, inspectModel } from '../../src/report/inspectReport.js';
import { memorySvg } from '../../src/report/memorySvg.js';
import { BROWSER_ENV } from './env.js';

// the page compiles to WASM on every model: its emitter is part of the bundle
useWasmEmitter(emitWasm);

export interface PageBuild {
  name: string;
  report: InspectReport;
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
  const fresh = () => importModel(bytes, fileName);
  const { report, compiled: wasm } = inspectModel(fresh, {}, (m) => compileWith(m, { target: 'wasm', name }, BROWSER_ENV));
  if (!wasm) throw new CompileError((report.memory as { notPlanned: string }).notPlanned);
  const c = compileWith(fresh(), { target: 'c', name }, BROWSER_ENV);
  return { name, report, c, wasm, zip: zipFiles(c.files), svg: memorySvg(wasm.program), ms: performance.now() - t0 };
}
