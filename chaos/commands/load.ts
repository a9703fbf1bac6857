import { isAbsolute, resolve } from 'node:path';
import { FAULT_CATALOG } from '../drivers';
import type { FaultCatalog } from '../faults/define-fault';
import type { CliIo } from '../io';
import { loadExperiment } from '../model/load-experiment';
import type { Experiment, ExperimentVars } from '../model/types';

/** Loads experiment files as named on the command line (relative to the working directory). */
export async function loadExperiments(
  files: readonly string[],
  io: CliIo,
  catalog: FaultCatalog = FAULT_CATALOG,
  vars?: ExperimentVars,
): Promise<Experiment[]> {
  const loaded: Experiment[] = [];
  for (const file of files) {
    loaded.push(
      await loadExperiment(file, isAbsolute(file) ? file : resolve(io.cwd, file), {
        catalog,
        env: io.env,
        cwd: io.cwd,
        ...(vars === undefined ? {} : { vars }),
      }),
    );
  }
  return loaded;
}
