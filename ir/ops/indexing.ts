// Indexing and data movement ops (Slice, Gather, Scatter, Pad, Resize, …).
import { OpDef } from '../opdef.js';

export const indexingOps: OpDef[] = [];
