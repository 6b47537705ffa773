// Discovers ONNX backend test cases: a folder with model.onnx + test_data_set_*/, a folder of
// such folders, or the light/ layout (light_NAME.onnx + light_NAME_output_0.pb, generated input).
import fs from 'node:fs';
import path from 'node:path';

export interface DataSet { inputs: string[]; outputs: string[] }
export interface TestCase {
  name: string;
  model: string;
  dataSets: DataSet[];
  /** light/ layout: inputs are generated as x[i] = i/N. */
  generatedInputs?: boolean;
}

const numbered = (dir: string, prefix: string) =>
  fs.readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
    .map((f) => path.join(dir, f));

function caseAt(dir: string): TestCase | null {
  const model = path.join(dir, 'model.onnx');
  if (!fs.existsSync(model)) return null;
  const sets = fs.readdirSync(dir).filter((f) => /^test_data_set_\d+$/.test(f))
    .sort((a, b) => parseInt(a.slice(14)) - parseInt(b.slice(14)))
    .map((f) => ({ inputs: numbered(path.join(dir, f), 'input_'), outputs: numbered(path.join(dir, f), 'output_') }));
  return { name: path.basename(dir), model, dataSets: sets };
}

function lightCases(dir: string): TestCase[] {
  return fs.readdirSync(dir).filter((f) => /^light_.*\.onnx$/.test(f)).sort().map((f) => {
    const base = f.replace(/\.onnx$/, '');
    return { name: base, model: path.join(dir, f), generatedInputs: true,
      dataSets: [{ inputs: [], outputs: [path.join(dir, `${base}_output_0.pb`)] }] };
  });
}

/** All cases under the given paths, sorted by name within each path. */
export function findCases(paths: string[]): TestCase[] {
  const out: TestCase[] = [];
  for (const p of paths) {
    if (!fs.existsSync(p)) throw new Error(`no such folder: ${p}`);
    const here = caseAt(p);
    if (here) { out.push(here); continue; }
    const light = lightCases(p);
    out.push(...light);
    for (const sub of fs.readdirSync(p).sort()) {
      const full = path.join(p, sub);
      if (!fs.statSync(full).isDirectory()) continue;
      const c = caseAt(full);
      if (c) out.push(c);
      else out.push(...findCases([full]));
    }
  }
  return out;
}
