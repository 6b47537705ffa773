// Registers every op family with the registry. Import this module once (the public API does).
import { registerOps } from '../opdef.js';
import { elementwiseOps } from './elementwise.js';

let done = false;
export function registerAllOps(): void {
  if (done) return;
  done = true;
  registerOps([...elementwiseOps]);
}
