// User-facing errors: a CompileError carries one line that the CLI prints after "error: ".
import { Node, nodeLabel } from './graph.js';

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

/** A compile error that values of some inputs, known at compile time, would resolve: `onnxc
 * run` (which has every input's value) specializes on them and compiles again. */
export class NeedsInputValues extends CompileError {
  constructor(message: string, readonly inputs: string[]) {
    super(message);
    this.name = 'NeedsInputValues';
  }
}

/** A defect in onnxc itself, not in the model: named by the pass and the node it was on, never
 * carrying JavaScript's own text to the user (the CLI shows the cause only with --verbose). */
export class InternalError extends Error {
  constructor(readonly pass: string, readonly node: string | undefined, override readonly cause: unknown) {
    super(`internal error in ${pass}${node ? ` on ${node}` : ''}`);
    this.name = 'InternalError';
  }
}

let current: Node | undefined;
/** Records the node a pass is working on, for an internal error's message. */
export function atNode(n: Node): void {
  current = n;
}

/** Runs one pass: an exception that is not a CompileError becomes an InternalError naming it. */
export function inPass<T>(pass: string, f: () => T): T {
  current = undefined;
  try {
    return f();
  } catch (e) {
    if (e instanceof CompileError || e instanceof InternalError) throw e;
    throw new InternalError(pass, current ? nodeLabel(current) : undefined, e);
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
