// Matrix ops (MatMul, Gemm, Einsum, Attention, …).
import { OpDef } from '../opdef.js';

export const linalgOps: OpDef[] = [];
