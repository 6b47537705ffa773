// Input files of `onnxc run` and `onnxc test` for a model's declared inputs: a tensor file
// (.pb or .npy) is passed as it is; a sequence or optional (.pb: SequenceProto, OptionalProto)
// as the tensors it holds, written as files into a work folder, with its layout, which the
// compilation binds (CompileOptions.layouts). Outputs come back the same way: a structured
// output's tensors are gathered into its SequenceProto or OptionalProto.
import fs from 'node:fs';
import path from 'node:path';
import { Layout, Value, layoutLeafNames, layoutLeaves } from '../../ir/graph.js';
import { TensorData } from '../../ir/tensor.js';
import { MAX_MODEL_BYTES, readRegularFile } from '../onnx/readFile.js';
import { encodeTensor } from '../onnx/tensorProto.js';
import { kindOf, parseValue } from '../onnx/valueProto.js';
import { readTensorFile } from './index.js';

/** The program's inputs for one set of input files. */
export interface ProgramInputs {
  /** One tensor file per program input. */
  files: string[];
  tensors: TensorData[];
  /** The program inputs' names (a sequence's NAME_0, NAME_1…). */
  names: string[];
  /** What each sequence or optional input holds. */
  layouts: Record<string, Layout>;
}

/** Reads the files given for graph inputs `inputs`; tensors of structured values are written
 * into `work` as `<tag>_input_<i>_<k>.pb`. */
export function readInputFiles(inputs: Value[], files: string[], work: string, tag: string): ProgramInputs {
  const out: ProgramInputs = { files: [], tensors: [], names: [], layouts: {} };
  files.forEach((f, i) => {
    const v = inputs[i];
    if (!v || kindOf(v) === 'tensor') {
      out.files.push(f);
      out.tensors.push(readTensorFile(f));
      out.names.push(v?.name ?? `input_${i}`);
      return;
    }
    const val = parseValue(readRegularFile(f, MAX_MODEL_BYTES, 'input file'), kindOf(v), path.basename(f));
    out.layouts[v.name] = val.layout;
    const names = layoutLeafNames(v.name, val.layout);
    if (val.tensors.length) fs.mkdirSync(work, { recursive: true });
    val.tensors.forEach((t, k) => {
      const file = path.join(work, `${tag}_input_${i}_${k}.pb`);
      fs.writeFileSync(file, encodeTensor(t, names[k]));
      out.files.push(file);
      out.tensors.push(t);
      out.names.push(names[k]);
    });
  });
  return out;
}

/** The program's outputs grouped per graph output: its layout (a tensor's where `layouts` is
 * absent) and its tensors. */
export function groupOutputs(outs: TensorData[], layouts: Layout[] | undefined): { layout: Layout; tensors: TensorData[] }[] {
  if (!layouts) return outs.map((t) => ({ layout: { tensor: { dtype: t.dtype, shape: t.shape } }, tensors: [t] }));
  let at = 0;
  return layouts.map((layout) => {
    const n = layoutLeaves(layout).length;
    at += n;
    return { layout, tensors: outs.slice(at - n, at) };
  });
}
