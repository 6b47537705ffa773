// User-facing errors: a CompileError carries one line that the CLI prints after "error: ".
import { Node, nodeLabel } from './graph.js';

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

/** An error about a node: "node 'x' (Op): message". */
export function nodeError(n: Node, message: string): CompileError {
  return new CompileError(`${nodeLabel(n)}: ${message}`);
}

/** Throws a CompileError unless cond holds. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new CompileError(typeof message === 'string' ? message : message());
}
