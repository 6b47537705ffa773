// Terminal progress on stderr, only when it is a TTY: a bar with pass/fail counts and an ETA
// for `onnxc test`, and the current phase of a long compile. Both rewrite one line in place
// ("\r" + erase line) and leave nothing behind; on pipes and files they print nothing.
// A small own module: the candidates (cli-progress, log-update, ora) would add a dependency
// for ~60 lines, and we need the bar to step aside for FAIL lines written to stdout.

/** The part of a stream progress output needs (process.stderr, or a fake in tests). */
export interface ProgressStream { isTTY?: boolean; columns?: number; write(s: string): unknown }

const CLEAR = '\r\x1b[K';
const clock = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export interface Counts { passed: number; failed: number; skipped: number }

/** A bar for `total` items; update() after each, around() for lines printed meanwhile. */
export class ProgressBar {
  readonly enabled: boolean;
  private counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  private readonly start: number;
  private shown = false;

  constructor(private total: number, private stream: ProgressStream = process.stderr, private now: () => number = Date.now) {
    this.enabled = !!stream.isTTY && total > 0;
    this.start = now();
  }

  /** The line as drawn (without the control characters). */
  line(): string {
    const { passed, failed, skipped } = this.counts, done = passed + failed + skipped, elapsed = this.now() - this.start;
    const eta = done ? `ETA ${clock((elapsed / done) * (this.total - done))}` : 'ETA --:--';
    const text = ` ${done}/${this.total}  ${passed} passed  ${failed} failed${skipped ? `  ${skipped} skipped` : ''}  ${clock(elapsed)} elapsed  ${eta}`;
    const cols = this.stream.columns || 80; // a pty may report 0
    const width = Math.max(10, Math.min(40, cols - text.length - 3));
    const fill = Math.round((width * done) / this.total);
    return `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}]${text}`.slice(0, cols - 1);
  }

  update(counts: Counts): void {
    this.counts = { ...counts };
    this.draw();
  }

  /** Runs `print` (which writes whole lines elsewhere, e.g. stdout) with the bar out of the way. */
  around(print: () => void): void {
    this.clear();
    print();
    this.draw();
  }

  /** Erases the bar (call once at the end). */
  clear(): void {
    if (this.shown) this.stream.write(CLEAR);
    this.shown = false;
  }

  private draw(): void {
    if (!this.enabled) return;
    this.stream.write(CLEAR + this.line());
    this.shown = true;
  }
}

/** Shows "onnxc: PHASE... (elapsed)" for phases that start `delayMs` or more into the work (so quick compiles print nothing); done() erases it. */
export function phaseReporter(stream: ProgressStream = process.stderr, now: () => number = Date.now, delayMs = 250): { phase(name: string): void; done(): void } {
  const start = now();
  let shown = false;
  return {
    phase(name) {
      if (!stream.isTTY || now() - start < delayMs) return;
      stream.write(`${CLEAR}onnxc: ${name}... (${clock(now() - start)})`);
      shown = true;
    },
    done() {
      if (shown) stream.write(CLEAR);
      shown = false;
    },
  };
}
