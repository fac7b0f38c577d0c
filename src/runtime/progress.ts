/** Training progress: a redrawn bar on a terminal, plain lines otherwise. */

export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
}

const fmtTime = (s: number): string => {
  if (!Number.isFinite(s)) return "?";
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, "0")}s` : `${s.toFixed(0)}s`;
};

export class Progress {
  private lastLine = 0;

  constructor(private readonly out: ProgressStream | null, private readonly epochs: number) {}

  /** After each step: step of steps in this epoch, running mean loss, targets per second. */
  step(epoch: number, step: number, steps: number, loss: number, tokensPerS: number, elapsed: number): void {
    if (!this.out) return;
    const eta = (elapsed / step) * (steps - step);
    const text = `epoch ${epoch + 1}/${this.epochs} step ${step}/${steps} loss ${loss.toFixed(4)} ${Math.round(tokensPerS)} tok/s eta ${fmtTime(eta)}`;
    if (this.out.isTTY) {
      const width = 20;
      const done = Math.round((width * step) / steps);
      this.out.write(`\r[${"#".repeat(done)}${".".repeat(width - done)}] ${text}\x1b[K`);
    } else {
      const now = Date.now();
      if (step === steps || now - this.lastLine > 10_000) {
        this.out.write(`${text}\n`);
        this.lastLine = now;
      }
    }
  }

  /** After each epoch. */
  epoch(text: string): void {
    if (!this.out) return;
    this.out.write(this.out.isTTY ? `\r${text}\x1b[K\n` : `${text}\n`);
  }
}
