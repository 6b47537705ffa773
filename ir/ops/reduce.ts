// Reductions, softmax family, normalizations and losses.
import { OpDef } from '../opdef.js';

export const reduceOps: OpDef[] = [];
