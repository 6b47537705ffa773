// Registers every op family with the registry. Import this module once (the public API does).
import { registerOps } from '../opdef.js';
import { castOps } from './cast.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { indexingOps } from './indexing.js';
import { linalgOps } from './linalg.js';
import { reduceOps } from './reduce.js';
import { shapeOps } from './shape.js';

let done = false;
export function registerAllOps(): void {
  if (done) return;
  done = true;
  registerOps([...elementwiseOps, ...shapeOps, ...indexingOps, ...castOps, ...reduceOps, ...linalgOps, ...convOps]);
}
