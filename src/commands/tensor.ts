// `onnxc tensor FILE`: prints a TensorProto .pb or NumPy .npy tensor numpy-style.
import path from 'node:path';
import { readTensorFile } from '../runners/index.js';
import { tensorText } from '../tensorText.js';

export function tensorCommand(a: { file: string }): number {
  const t = readTensorFile(a.file);
  process.stdout.write(tensorText(t.name || path.basename(a.file), t));
  return 0;
}
