// Where the RAM goes: the step at which the most arena bytes are live, and the buffers live
// there, largest first (what `onnxc inspect` prints under the arena line). With --max-ram this
// says which tensors to shrink.
import { byteSize } from '../../ir/dtype.js';
import { Program, ProgramBuf, stepLabel } from '../../ir/kernel.js';
import { liveRanges } from '../../passes/planMemory.js';

/** Lines describing the arena's peak: the step, then each live buffer with its bytes. */
export function ramMapLines(p: Program, top = 8): string[] {
  const { first, last } = liveRanges(p);
  const bytes = (b: ProgramBuf) => byteSize(b.dtype, b.size);
  const liveAt = (i: number) => [...first.keys()].filter((b) => first.get(b)! <= i && i <= last.get(b)!);
  let peak = -1, peakBytes = 0;
  p.steps.forEach((_, i) => {
    const n = liveAt(i).reduce((a, b) => a + bytes(b), 0);
    if (n > peakBytes) { peak = i; peakBytes = n; }
  });
  if (peak < 0) return ['RAM peak: no arena temporaries'];
  const live = liveAt(peak).sort((x, y) => bytes(y) - bytes(x));
  return [`RAM peak: ${peakBytes} bytes of temporaries live at step ${peak} (${stepLabel(p.steps[peak])}):`,
    ...live.slice(0, top).map((b) => `  ${String(bytes(b)).padStart(10)} B  ${b.name} (${b.dtype}[${b.size}], steps ${first.get(b)}–${last.get(b)})`),
    ...(live.length > top ? [`  … ${live.length - top} more`] : [])];
}
