/**
 * Progress lines on the terminal: one line per step with the time since the command started and
 * the step's own duration. A step still running after a second announces itself first, so a long
 * debootstrap or image build never looks like a hang.
 */

/** What a running step may say about itself. */
interface StepHandle {
  /** Replaces the text printed after the step's title when it ends. */
  detail(text: string): void;
}

/** Writes progress lines; `write` is injectable so tests can collect them. */
export class Progress {
  private readonly started = Date.now();

  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)) {}

  /** Seconds since the command started, formatted for the line prefix. */
  private stamp(): string {
    return `[${((Date.now() - this.started) / 1000).toFixed(1).padStart(6)}s]`;
  }

  /** Prints a line that belongs to no step (a summary, a figure). */
  note(text: string): void {
    this.write(`${this.stamp()} ${text}`);
  }

  /** Runs `work` as one step; the step's line says whether it ended well and how long it took. */
  async step<T>(title: string, work: (step: StepHandle) => Promise<T>): Promise<T> {
    const stepStarted = Date.now();
    let detail = '';
    const announce = setTimeout(() => this.write(`${this.stamp()} ${title} ...`), 1000);
    const took = (): string => `(${((Date.now() - stepStarted) / 1000).toFixed(1)}s)`;
    try {
      const value = await work({ detail: (text) => (detail = text) });
      clearTimeout(announce);
      this.write(`${this.stamp()} ${title}${detail.length > 0 ? `: ${detail}` : ''} ${took()}`);
      return value;
    } catch (error) {
      clearTimeout(announce);
      this.write(`${this.stamp()} ${title}: FAILED ${took()}`);
      throw error;
    }
  }
}
