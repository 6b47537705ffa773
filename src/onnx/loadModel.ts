// Reading a model file (Node only); importModel.ts does the rest without a file system.
import path from 'node:path';
import { Model } from '../../ir/graph.js';
import { externalDataIn } from './externalData.js';
import { importModel } from './importModel.js';
import { MAX_MODEL_BYTES, readRegularFile } from './readFile.js';

/** Reads and imports an ONNX model file; its external data is read from the file's folder. */
export function loadModel(file: string): Model {
  const bytes = readRegularFile(file, MAX_MODEL_BYTES, 'model');
  return importModel(bytes, file, externalDataIn(path.dirname(path.resolve(file))));
}
