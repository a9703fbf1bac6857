import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where runs on this machine meet: target locks and the halt file. Shared by every checkout of
 * the project on the machine (CHAOS_RUNTIME_DIR overrides it, e.g. for tests).
 */
export function runtimeDir(env: Readonly<Record<string, string | undefined>>): string {
  const dir =
    env.CHAOS_RUNTIME_DIR !== undefined && env.CHAOS_RUNTIME_DIR !== '' ? env.CHAOS_RUNTIME_DIR : join(tmpdir(), 'ecs-chaos-platform');
  mkdirSync(join(dir, 'locks'), { recursive: true, mode: 0o700 });
  return dir;
}
