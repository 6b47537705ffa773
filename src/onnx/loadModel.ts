// Reading a model file (Node only); importModel.ts does the rest without a file system.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { Model } from '../../ir/graph.js';
import { externalDataIn } from './externalData.js';
import { importModel } from './importModel.js';

/** Reads and imports an ONNX model file; its external data is read from the file's folder. */
export function loadModel(file: string): Model {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new CompileError(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return importModel(bytes, file, externalDataIn(path.dirname(path.resolve(file))));
}
