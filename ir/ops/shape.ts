// Shape and layout ops (Reshape, Concat, Transpose, …).
import { OpDef } from '../opdef.js';

export const shapeOps: OpDef[] = [];
