// External tensor data on disk (Node only): files inside the model's folder, never outside it.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
import { openRegular, readRange } from './readFile.js';
import { ExternalData } from './tensorProto.js';

/** Reads external data from files in `baseDir` (symbolic links leading out of it are refused). */
export function externalDataIn(baseDir: string): ExternalData {
  return (p, nbytes, what) => {
    const kv = new Map((p.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const loc = kv.get('location');
    if (!loc) throw new CompileError(`${what}: external data without a location`);
    const root = fs.realpathSync(baseDir);
    const full = path.resolve(root, loc);
    if (path.isAbsolute(loc) || !full.startsWith(root + path.sep))
      throw new CompileError(`${what}: external data '${loc}' is outside the model's folder`);
    let real: string;
    try {
      real = fs.realpathSync(full);
    } catch {
      throw new CompileError(`${what}: external data file '${loc}' not found`);
    }
    if (!real.startsWith(root + path.sep)) throw new CompileError(`${what}: external data '${loc}' is outside the model's folder`);
    const offset = extInt(kv.get('offset') ?? '0', 'offset'), length = kv.has('length') ? extInt(kv.get('length')!, 'length') : nbytes;
    if (length !== nbytes) throw new CompileError(`${what}: external data length is ${length} bytes, the tensor needs ${nbytes}`);
    const { fd, size } = openRegular(real, Number.MAX_SAFE_INTEGER, 'external data');
    try {
      if (offset + length > size) throw new CompileError(`${what}: external data '${loc}' has ${size} bytes, fewer than offset ${offset} + length ${length}`);
      return readRange(fd, offset, length);
    } finally {
      fs.closeSync(fd);
    }

    function extInt(v: string, key: string): number {
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new CompileError(`${what}: external data ${key} '${v}' is not a non-negative integer`);
      return Number(v);
    }
  };
}
