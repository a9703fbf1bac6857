import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { SERVICE_NAMES } from '../../../contract/services';
import { ALL_FAULTS } from '../../../chaos/drivers';
import { catalogOf } from '../../../chaos/faults/define-fault';
import { defineFault } from '../../../chaos/faults/define-fault';
import { ActivityFailedError } from '../../../chaos/errors';

/** A destructive action that leaves a marker file, and removes nothing: its rollback leaves another. */
export const touchMarker = defineFault({
  id: 'test:touch-marker',
  kind: 'action',
  description: 'Writes a marker file standing for an injected fault',
  destructive: true,
  args: z.strictObject({ service: z.enum(SERVICE_NAMES), marker: z.string().min(1) }),
  targets: (a) => [{ kind: 'service', service: a.service }],
  describe: (a, { outputs }) => `mark ${outputs.services[a.service].serviceName} in ${a.marker}`,
  async run(_ctx, a) {
    await writeFile(a.marker, 'injected');
    return { marker: a.marker };
  },
  async rollback(_ctx, a) {
    await writeFile(`${a.marker}.undone`, 'undone');
    return { undone: true };
  },
});

/** An action aimed at whatever it is told, to exercise the blast-radius guard. */
export const aimAt = defineFault({
  id: 'test:aim-at',
  kind: 'action',
  description: 'Targets a service by any name',
  destructive: true,
  args: z.strictObject({ service: z.string() }),
  targets: (a) => [{ kind: 'service', service: a.service }],
  run: async () => null,
});

/** A driver with a bug: its error is not an ActivityFailedError, so the run aborts. */
export const explode = defineFault({
  id: 'test:explode',
  kind: 'action',
  description: 'Throws a TypeError',
  destructive: false,
  args: z.strictObject({}),
  run: async () => {
    throw new TypeError('driver bug');
  },
});

/** An action whose target refuses: ActivityFailedError, so the run fails. */
export const refuse = defineFault({
  id: 'test:refuse',
  kind: 'action',
  description: 'Fails like a target refusing the fault',
  destructive: false,
  args: z.strictObject({}),
  run: async () => {
    throw new ActivityFailedError('target refused');
  },
});

/** Waits `seconds`, stopping at once when its signal aborts, as every driver must. */
export const waitFor = defineFault({
  id: 'test:wait',
  kind: 'probe',
  description: 'Waits, honouring its signal',
  destructive: false,
  args: z.strictObject({ seconds: z.number().positive() }),
  run: async (ctx, a) => {
    await ctx.clock.sleep(a.seconds * 1000, ctx.signal);
    return { waited: a.seconds };
  },
});

/** A driver with a bug: it waits `seconds` whatever its signal says. */
export const ignoreSignal = defineFault({
  id: 'test:ignore-signal',
  kind: 'probe',
  description: 'Waits, ignoring its signal',
  destructive: false,
  args: z.strictObject({ seconds: z.number().positive() }),
  run: async (_ctx, a) => {
    // Unreferenced, so that the abandoned wait does not hold the test process.
    await new Promise((resolve) => setTimeout(resolve, a.seconds * 1000).unref());
    return { waited: a.seconds };
  },
});

export const TEST_CATALOG = catalogOf([...ALL_FAULTS, touchMarker, aimAt, explode, refuse, waitFor, ignoreSignal]);
