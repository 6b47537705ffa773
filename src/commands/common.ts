// Parsing helpers shared by CLI commands (NAME=VALUE lists, --const files).
import { CompileError } from '../../ir/errors.js';
import fs from 'node:fs';
import { DimRange, parseDimBinding } from '../dimBindings.js';
import type { ConstValue } from '../compile.js';
import { readTensorFile } from '../runners/index.js';

/** --dim NAME=VALUE (specialize) or NAME=LO..HI (a bounded run-time dim: src/dimBindings.ts). */
export function parseDims(list: string[] | undefined): Record<string, number | DimRange> {
  const out: Record<string, number | DimRange> = {};
  for (const s of list ?? []) {
    const m = /^([^=]+)=(.*)$/.exec(s);
    if (!m) throw new UsageError(`--dim expects NAME=VALUE or NAME=LO..HI with non-negative integers, got '${s}'`);
    out[m[1]] = parseDimBinding(m[1], m[2]);
  }
  return out;
}

const NUMBER_LIST = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(\s*,\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)*\s*$/;

/** --const NAME=FILE (.pb or .npy) or NAME=V[,V…]: values written out take the input's dtype
 * and shape when the model is bound (src/compile.ts bindInputs). */
export function parseConsts(list: string[] | undefined): Record<string, ConstValue> {
  const out: Record<string, ConstValue> = {};
  for (const s of list ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(s);
    if (!m) throw new UsageError(`--const expects NAME=FILE.pb or NAME=VALUE[,VALUE...], got '${s}'`);
    out[m[1]] = NUMBER_LIST.test(m[2]) && !fs.existsSync(m[2]) ? m[2].split(',').map(Number) : readTensorFile(m[2]);
  }
  return out;
}

/** A command-line mistake: exit code 2. */
export class UsageError extends CompileError {}
