// Bounded reads of files named by users or by models: only regular files (never a device, a
// FIFO or a folder, which could block or never end), with the size checked before reading.
import fs from 'node:fs';
import { CompileError } from '../../ir/errors.js';

/** Largest model file: protobuf messages are limited to 2 GiB (larger weights go to external data). */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

const ERRNO: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a folder', ENAMETOOLONG: 'the name is too long', ENOTDIR: 'a part of the path is not a folder', ELOOP: 'too many symbolic links' };

/** Opens `file` for reading without blocking (a FIFO would block in open) and checks it is a regular file of at most `max` bytes. */
export function openRegular(file: string, max: number, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    throw new CompileError(`cannot read ${what} '${file}': ${ERRNO[code] ?? code}`);
  }
  const st = fs.fstatSync(fd);
  const fail = (why: string) => { fs.closeSync(fd); return new CompileError(`cannot read ${what} '${file}': ${why}`); };
  if (st.isDirectory()) throw fail('it is a folder');
  if (!st.isFile()) throw fail('not a regular file (a device, FIFO or socket)');
  if (st.size > max) throw fail(`${st.size} bytes, more than the ${max} bytes allowed`);
  return { fd, size: st.size };
}

/** Reads a whole regular file of at most `max` bytes. */
export function readRegularFile(file: string, max: number, what: string): Buffer {
  const { fd, size } = openRegular(file, max, what);
  try {
    return readRange(fd, 0, size);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads `length` bytes at `offset` from an open file (the caller checked they exist). */
export function readRange(fd: number, offset: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, offset + done);
    if (n === 0) throw new CompileError(`file ended after ${done} of ${length} bytes`);
    done += n;
  }
  return buf;
}
