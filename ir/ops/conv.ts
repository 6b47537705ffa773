// Convolution, pooling and spatial sampling ops.
import { OpDef } from '../opdef.js';

export const convOps: OpDef[] = [];
