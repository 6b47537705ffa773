// Registers every op family with the registry. Import this module once (the public API does).
import { registerOps } from '../opdef.js';
import { castOps } from './cast.js';
import { controlOps } from './control.js';
import { countedOps } from './counted.js';
import { convOps } from './conv.js';
import { elementwiseOps } from './elementwise.js';
import { indexingOps } from './indexing.js';
import { linalgOps } from './linalg.js';
import { lossOps } from './loss.js';
import { mlOps } from './ml.js';
import { newerOps } from './newer.js';
import { nmsOps } from './nms.js';
import { normalizeOps } from './normalize.js';
import { qint8Ops } from './qint8.js';
import { recurrentOps } from './recurrent.js';
import { reduceOps } from './reduce.js';
import { shapeOps } from './shape.js';
import { signalOps } from './signal.js';
import { softmaxOps } from './softmax.js';
import { trainingOps } from './training.js';

let done = false;
export function registerAllOps(): void {
  if (done) return;
  done = true;
  registerOps([
    ...elementwiseOps, ...shapeOps, ...indexingOps, ...castOps, ...reduceOps, ...softmaxOps, ...normalizeOps,
    ...lossOps, ...linalgOps, ...convOps, ...recurrentOps, ...signalOps, ...mlOps, ...controlOps, ...newerOps,
    ...trainingOps, ...qint8Ops, ...countedOps, ...nmsOps,
  ]);
}
