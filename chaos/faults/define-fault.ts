import type { BindResult, Fault, FaultDescriptor } from './types';

/**
 * Turns a descriptor into a registered `Fault`. The argument type is closed over here, so the
 * registry needs no casts and `run` can only ever see arguments its own schema produced.
 */
export function defineFault<A>(descriptor: FaultDescriptor<A>): Fault {
  const bind = (rawArgs: unknown): BindResult => {
    const parsed = descriptor.args.safeParse(rawArgs);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues };
    const args = parsed.data;
    const { rollback, live } = descriptor;
    return {
      ok: true,
      bound: {
        id: descriptor.id,
        kind: descriptor.kind,
        destructive: descriptor.destructive,
        sampleable: descriptor.sampleTarget !== undefined,
        requires: descriptor.requires ?? [],
        targets: (outputs) => descriptor.targets?.(args, outputs) ?? [],
        describe: (target) => descriptor.describe?.(args, target) ?? `${descriptor.id} ${JSON.stringify(args)}`,
        live: live ? (target, signal) => live.call(descriptor, args, target, signal) : null,
        sampleTarget: (outputs) => descriptor.sampleTarget?.(args, outputs) ?? null,
        run: (ctx) => descriptor.run(ctx, args),
        rollback: rollback ? (ctx, runResult) => rollback.call(descriptor, ctx, args, runResult) : null,
      },
    };
  };
  return {
    id: descriptor.id,
    kind: descriptor.kind,
    description: descriptor.description,
    destructive: descriptor.destructive,
    args: descriptor.args,
    hasRollback: descriptor.rollback !== undefined,
    sampleable: descriptor.sampleTarget !== undefined,
    requires: descriptor.requires ?? [],
    bind,
  };
}

/** Faults by id, refusing duplicates (two modules claiming one id is a programming error). */
export type FaultCatalog = ReadonlyMap<string, Fault>;

export function catalogOf(faults: readonly Fault[]): FaultCatalog {
  const catalog = new Map<string, Fault>();
  for (const fault of faults) {
    if (catalog.has(fault.id)) throw new Error(`two fault modules declare the id ${fault.id}`);
    catalog.set(fault.id, fault);
  }
  return catalog;
}
