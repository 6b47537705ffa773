// External tensor data on disk (Node only): files inside the model's folder, never outside it.
import fs from 'node:fs';
import path from 'node:path';
import { CompileError } from '../../ir/errors.js';
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
    const offset = Number(kv.get('offset') ?? 0), length = kv.has('length') ? Number(kv.get('length')) : nbytes;
    const size = fs.statSync(real).size;
    if (!(offset >= 0 && length >= 0 && offset + length <= size) || length !== nbytes)
      throw new CompileError(`${what}: external data '${loc}' has ${size} bytes, expected ${nbytes} at offset ${offset}`);
    const fd = fs.openSync(real, 'r');
    try {
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, offset);
      return buf;
    } finally {
      fs.closeSync(fd);
    }
  };
}
