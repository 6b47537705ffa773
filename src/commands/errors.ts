// One-line messages for failures that are not CompileErrors: file-system errors (EEXIST,
// ENAMETOOLONG, EACCES…) say which path and what is wrong; anything else is an onnxc defect,
// reported by pass and node with a request for a report, never with JavaScript's own text.
import { InternalError } from '../../ir/errors.js';

const ERRNO: Record<string, string> = {
  EEXIST: 'a file of that name exists', ENOTDIR: 'a part of the path is a file, not a folder', EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long for the file system', EACCES: 'permission denied', EPERM: 'operation not permitted',
  ENOENT: 'no such file or folder', ENOSPC: 'no space left on the device', EROFS: 'the file system is read-only',
  EMFILE: 'too many open files', ELOOP: 'too many symbolic links', EDQUOT: 'disk quota exceeded',
};

/** The message after "error: " for an exception that is not a CompileError. */
export function internalMessage(e: unknown, verbose: boolean): string {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (code && ERRNO[code]) return `cannot ${err.syscall ?? 'access'} '${err.path ?? '?'}': ${ERRNO[code]}`;
  const what = e instanceof InternalError ? e.message : 'internal error';
  const cause = e instanceof InternalError ? e.cause : e;
  return `${what}; this is a bug in onnxc, please report it with the model${verbose ? ` (${(cause as Error)?.message?.split('\n')[0]})` : ' (--verbose shows the details)'}`;
}

/** The message as one line: control characters (a value named with a newline or a NUL, from a
 * model) written as escapes, so an error stays the one `error:` line it is meant to be. */
export function oneLine(message: string): string {
  return message.replace(/[\x00-\x1f\x7f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}
