import type { AvailabilitySample } from '../../contract/journal';
import type { AvailabilitySampler } from './availability-sampler';

/** What the recovery wait asks the sampling: do the sampled services answer again? */
export interface AnsweringWitness {
  /** The last `streak` samples of every probe are healthy and no request has hung for `hangingMs`. */
  healthyStreak(streak: number, hangingMs: number): boolean;
}

/**
 * The availability samplers of a run, one per sampled probe (one per service, say), started
 * together and stopped together; their samples come back in one list, each tagged with its probe.
 */
export class SamplerSet implements AnsweringWitness {
  constructor(private readonly samplers: readonly { readonly probe: string; readonly sampler: AvailabilitySampler }[]) {}

  get size(): number {
    return this.samplers.length;
  }

  /** Starts every sampler now (in one go, so their `t`s share an origin to well under a millisecond). */
  start(): void {
    for (const { sampler } of this.samplers) sampler.start();
  }

  healthyStreak(streak: number, hangingMs: number): boolean {
    return this.samplers.every(({ sampler }) => sampler.healthyStreak(streak, hangingMs));
  }

  /** Stops scheduling, lets in-flight requests finish (bounded by their timeout). */
  stop(): Promise<AvailabilitySample[]> {
    return this.collect((sampler) => sampler.stop());
  }

  /** Stops at once, aborting in-flight requests (interruption). */
  cancel(): Promise<AvailabilitySample[]> {
    return this.collect((sampler) => sampler.cancel());
  }

  private async collect(end: (sampler: AvailabilitySampler) => Promise<AvailabilitySample[]>): Promise<AvailabilitySample[]> {
    const all = await Promise.all(this.samplers.map(async ({ probe, sampler }) => (await end(sampler)).map((s) => ({ ...s, probe }))));
    return all.flat().sort((a, b) => a.t - b.t);
  }
}
