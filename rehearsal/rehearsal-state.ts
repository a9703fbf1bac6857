import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { StepFailedError } from './errors';
import { rehearsalFiles, type RehearsalSettings } from './settings';

/**
 * `.rehearsal/rehearsal.json`: what a tool needs besides the outputs to act on the rehearsal, and
 * what `down` needs to undo exactly what `up` did. The outputs contract is strict and shared with
 * AWS, so the local-only facts (the engine's DOCKER_HOST, the SSH key and known_hosts) live here.
 * The chaos module reads it with {@link readRehearsalState}.
 */
const rehearsalStateSchema = z.strictObject({
  /** `DOCKER_HOST` of the engine running the swarm (remote `docker` over SSH gets the same). */
  dockerHost: z.string().min(1),
  /** `up` started that dockerd itself: `down` stops it. */
  ownEngine: z.boolean(),
  /** `up` initialised the swarm: `down` leaves it. */
  swarmInitialized: z.boolean(),
  /** Swarm stack holding the three services. */
  stackName: z.string().min(1),
  /** Absolute path of the outputs file. */
  outputsFile: z.string().min(1),
  ssh: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    user: z.string().min(1),
    /** Absolute path of the client's private key (ed25519, no passphrase). */
    privateKey: z.string().min(1),
    /** Absolute path of a known_hosts file holding the endpoint's host key. */
    knownHosts: z.string().min(1),
  }),
  /** When `up` last completed (ISO 8601). */
  upAt: z.iso.datetime(),
});

export type RehearsalState = z.infer<typeof rehearsalStateSchema>;

/** Reads and validates a rehearsal state file; undefined when there is none. */
export function readRehearsalState(file: string): RehearsalState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StepFailedError(`${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = rehearsalStateSchema.safeParse(json);
  if (!parsed.success) throw new StepFailedError(`${file} is not a rehearsal state file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Writes `.rehearsal/rehearsal.json`. */
export function writeRehearsalState(settings: RehearsalSettings, state: RehearsalState): string {
  const file = rehearsalFiles(settings).state;
  writeFileSync(file, `${JSON.stringify(rehearsalStateSchema.parse(state), null, 2)}\n`);
  return file;
}
