/** Where a review's time goes: named steps with their durations, in the order they started. */
export class Timings {
  private readonly steps: { name: string; start: number; end?: number }[] = [];
  private readonly open = new Map<string, number>();
  private readonly t0: number;

  constructor(private readonly now: () => number = Date.now) {
    this.t0 = now();
  }

  /** Starts `step` on `lane` (a stack, or the review itself), ending the lane's previous step. */
  step(lane: string, step: string): void {
    this.end(lane);
    this.open.set(lane, this.steps.push({ name: `${lane}: ${step}`, start: this.now() }) - 1);
  }

  /** Ends the lane's running step, if any. */
  end(lane: string): void {
    const i = this.open.get(lane);
    if (i !== undefined) this.steps[i].end = this.now();
    this.open.delete(lane);
  }

  /** A collapsed table for the comment; lanes (stacks) planned in parallel overlap, so the rows can add up to more than the total. */
  render(): string {
    const total = (this.now() - this.t0) / 1000;
    return [
      `<details><summary>Where the time went: ${total.toFixed(1)} s in all</summary>`,
      '',
      '| step | seconds |',
      '| --- | --- |',
      ...this.steps.map((s) => `| ${s.name} | ${(((s.end ?? this.now()) - s.start) / 1000).toFixed(1)} |`),
      '',
      'Stacks planned in parallel overlap: their rows can add up to more than the total.',
      '',
      '</details>',
      '',
    ].join('\n');
  }
}
