// Compiling on Node: a model file or bytes to target code, with the package's runtime headers.
// The CLI is a thin layer over these functions; the compiling itself is src/compile.ts, which
// needs no Node. src/api.ts (the package's entry) re-exports them with the WASM backend loaded;
// here it loads on demand (loadWasmBackend), so a C compile does not import Binaryen.
import fs from 'node:fs';
import path from 'node:path';
import { RUNTIME_DIR, cudaHeaderFiles, runtimeHeader, runtimeMainFiles } from './runtimeFiles.js';
import { CompileEnv, CompileOptions, CompileResult, compileWith } from './compile.js';
import { Model } from '../ir/graph.js';
import { loadModel } from './onnx/loadModel.js';
import { importModel } from './onnx/importModel.js';
import { CompileError, inPass } from '../ir/errors.js';

export { TARGETS, bindInputs, defaultName, loadWasmBackend, shapeInputs } from './compile.js';
export type { CompileOptions, CompileResult, CpuRow, Target } from './compile.js';

let native: 'host' | 'host-avx512' | undefined;
/** The C row for this machine: host-avx512 when /proc/cpuinfo lists avx512f, else host. */
export function nativeCpu(): 'host' | 'host-avx512' {
  if (!native) {
    let flags = '';
    try { flags = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? ''; } catch { /* not Linux */ }
    native = ` ${flags} `.includes(' avx512f ') ? 'host-avx512' : 'host';
  }
  return native;
}

/** Node's CompileEnv: headers from the package's runtime folders, --dump-ir files on disk. */
const NODE_ENV: CompileEnv = {
  runtimeHeader, cudaHeaderFiles, nativeCpu, runtimeMainFiles,
  dump(dir, file, text) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  },
};

export { RUNTIME_DIR };

/** Compiles an imported model. */
export function compileModel(m: Model, opts: CompileOptions): CompileResult {
  return compileWith(m, opts, NODE_ENV);
}

export function compileFile(file: string, opts: CompileOptions): CompileResult {
  return compileModel(inPass('import', () => loadModel(file)), opts);
}

/**
 * Compiles an ONNX model given as bytes (a serialized ModelProto) or as a file path; the target
 * defaults to C. `result.files` maps file names to contents (string or bytes), ready to write.
 */
export function compile(model: Uint8Array | string, opts: Partial<CompileOptions> = {}): CompileResult {
  const m = typeof model === 'string' ? loadModel(model) : importModel(model, `${opts.name ?? 'model'}.onnx`);
  return compileModel(m, { ...opts, target: opts.target ?? 'c' });
}

/** Writes files into dir only after everything was generated (no half-written output). */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): string[] {
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new CompileError(`'${dir}' exists and is not a folder (-o names the output folder)`);
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const tmp: [string, string][] = [];
  try {
    for (const [f, data] of Object.entries(files)) {
      const p = path.join(dir, f), t = `${p}.tmp-${process.pid}`;
      tmp.push([t, p]);
      fs.writeFileSync(t, data);
    }
  } catch (e) {
    // no temporary files left behind; the error names the output file, not its temporary name
    for (const [t] of tmp) fs.rmSync(t, { force: true });
    const err = e as NodeJS.ErrnoException;
    const hit = tmp.find(([t]) => t === err.path);
    if (hit) err.path = hit[1];
    throw err;
  }
  for (const [t, p] of tmp) { fs.renameSync(t, p); written.push(p); }
  return written;
}

export { CompileError, importModel, loadModel };
