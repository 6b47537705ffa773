// Type conversion and quantization ops (Cast, QuantizeLinear, …).
import { OpDef } from '../opdef.js';

export const castOps: OpDef[] = [];
