import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../io';
import { halt, HALT_POLL_MS, haltFile, releaseHalt } from '../safety/halt';
import { runtimeDir } from '../safety/runtime-dir';

export interface HaltCommandOptions {
  readonly release: boolean;
  readonly reason: string | undefined;
}

/** `chaos halt`: the emergency stop for every run on this machine; `--release` lets runs start again. */
export async function haltCommand(options: HaltCommandOptions, io: CliIo): Promise<number> {
  if (options.release) {
    io.stdout(releaseHalt(io.env) ? 'released: runs may start again\n' : 'nothing was halted\n');
    return 0;
  }
  halt(io.env, options.reason ?? `chaos halt at ${new Date().toISOString()}`);
  const running = readdirSync(join(runtimeDir(io.env), 'locks')).length;
  io.stdout(
    `halted (${haltFile(io.env)}): ${running} run(s) holding a target stop within ${HALT_POLL_MS} ms, roll back and end aborted; new runs are refused until \`npm run chaos -- halt --release\`\n`,
  );
  return 0;
}
