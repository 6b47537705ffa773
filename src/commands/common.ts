// Parsing helpers shared by CLI commands (NAME=VALUE lists, --const files).
import { CompileError } from '../../ir/errors.js';
import { TensorData } from '../../ir/tensor.js';
import { readTensorFile } from '../runners/index.js';

export function parseDims(list: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list ?? []) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m) throw new UsageError(`--dim expects NAME=VALUE with a non-negative integer, got '${s}'`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function parseConsts(list: string[] | undefined): Record<string, TensorData> {
  const out: Record<string, TensorData> = {};
  for (const s of list ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--const expects NAME=FILE.pb, got '${s}'`);
    out[m[1]] = readTensorFile(m[2]);
  }
  return out;
}

/** A command-line mistake: exit code 2. */
export class UsageError extends CompileError {}
