/** `npm start`'s options: `--help` teaches on stdout (exit 0); an unknown option is named (exit 2) and nothing starts. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const start = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'rehearsal', 'start.ts'), ...args], {
    cwd: path.join(REPO, '__tests__'),
    encoding: 'utf8',
    // No engine may be reached: a run that went past the options would fail on this.
    env: { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock', REHEARSAL_STATE_DIR: '/nonexistent/state' },
  });

test('--help lists every option and every experiment it runs, on stdout, exit 0', () => {
  const r = start('--help');
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
  for (const option of ['--faults', '--down', '--verbose', '--help']) expect(r.stdout).toContain(option);
  const source = readFileSync(path.join(REPO, 'rehearsal', 'start.ts'), 'utf8');
  const experiments = [...source.matchAll(/^\s+'([a-z0-9-]+\.yaml)',$/gm)].map((m) => m[1]);
  expect(experiments.length).toBeGreaterThanOrEqual(15);
  for (const file of experiments) {
    expect(existsSync(path.join(REPO, 'chaos', 'experiments', file))).toBe(true);
    expect(r.stdout).toContain(file);
  }
});

test('an unknown option is named, with the usage, on stderr; exit 2; nothing printed on stdout', () => {
  const r = start('--fault');
  expect(r.status).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toContain('unknown option "--fault"');
  expect(r.stderr).toContain('usage: npm start');
});
