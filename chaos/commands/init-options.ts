/** `chaos init`'s choices, apart from the command so that the CLI declares them without loading the drivers. */

/** The faults `init` can start from: the orchestrator's stop, or the operator's `docker stop` on the host. */
export const INIT_FAULTS = ['ecs:stop-task', 'ssh:docker-stop'] as const;
export type InitFault = (typeof INIT_FAULTS)[number];

/** chaostoolkit's init writes `experiment.json`; ours writes YAML, which keeps the comments that teach. */
export const DEFAULT_INIT_FILE = 'experiment.yaml';
