/**
 * host:restart-runtime: the command comes from the orchestrator port (systemd's docker.service on
 * ECS, the rehearsal's own dockerd from the local outputs), the daemon's pid and start time before
 * and after are parsed from what it prints, and each service's return is watched on the host. The
 * host is faked at the HostCommands/httpGet boundary: services go down when the command runs and
 * come back at set times.
 */
import { hostRestartRuntime } from '../../../chaos/drivers/host/restart-runtime';
import { commandLine } from '../../../chaos/faults/command-words';
import type { HostAccess, HostHttpRequest } from '../../../chaos/faults/ports';
import { formatRuntimeRestart, parseRuntimeRestart } from '../../../contract/runtime-restart';
import { localOutputsSchema } from '../../../contract/outputs';
import { withHost } from '../helpers/recording-host';
import { contextFor, runFault, targetFor } from './support/context';
import { awsOutputs, testOutputs } from './support/outputs';

const RESTART = ['/repo/.rehearsal/restart-engine'];
const BEFORE = { pid: 100, startedAt: '2026-12-01T10:00:00.000Z' };
const AFTER = { pid: 200, startedAt: '2026-12-01T10:05:00.000Z' };

describe('the runtime restart contract', () => {
  it('round-trips, and finds its two lines among others', () => {
    const text = formatRuntimeRestart({ before: BEFORE, after: { pid: 0, startedAt: null } });
    expect(text).toBe('before 100 2026-12-01T10:00:00.000Z\nafter 0 -\n');
    expect(parseRuntimeRestart(`noise\n${text}more`)).toEqual({ before: BEFORE, after: { pid: 0, startedAt: null } });
    expect(parseRuntimeRestart('before 1 x\n')).toBeUndefined();
  });

  it('the local outputs take the command as checked words', () => {
    expect(localOutputsSchema.safeParse({ ...testOutputs(), runtimeRestart: RESTART }).success).toBe(true);
    expect(localOutputsSchema.safeParse({ ...testOutputs(), runtimeRestart: ['/x; reboot'] }).success).toBe(false);
    expect(localOutputsSchema.safeParse({ ...testOutputs(), runtimeRestart: ['--rm'] }).success).toBe(false);
    expect(localOutputsSchema.safeParse({ ...testOutputs(), runtimeRestart: [] }).success).toBe(false);
  });
});

describe('where the command comes from', () => {
  it('the rehearsal: the outputs name it', () => {
    const restart = targetFor(testOutputs({ runtimeRestart: RESTART }))
      .use('orchestrator')
      .runtimeRestart();
    expect(restart).toMatchObject({ ok: true, words: RESTART });
  });

  it('the rehearsal on an engine it did not start: refused, saying why', () => {
    expect(targetFor(testOutputs()).use('orchestrator').runtimeRestart()).toMatchObject({
      ok: false,
      refused: expect.stringMatching(/not its to restart/),
    });
  });

  it('AWS: systemctl restart docker, in a tagged script that prints before and after', () => {
    const restart = targetFor(awsOutputs()).use('orchestrator').runtimeRestart();
    if (!restart.ok) throw new Error('refused');
    expect(restart.words.slice(3)).toEqual(['platform-chaos-restart-runtime', 'docker']);
    expect(restart.words[2]).toMatch(/systemctl restart "\$unit"/);
    expect(restart.words[2]).toMatch(/echo "before \$\(state\)"/);
    expect(restart.what).toMatch(/ecs-init/);
  });
});

/** A host whose services go down when the restart runs and answer again `backAfterMs` later. */
function restartingHost(output: string, backAfterMs: Readonly<Record<number, number>>) {
  const commands: string[] = [];
  let ranAt: number | null = null;
  const host: HostAccess = {
    name: 'ssh',
    where: 'root@127.0.0.1:2222',
    host: '127.0.0.1',
    withSession: (_o, _s, fn) =>
      fn({
        async exec(words) {
          commands.push(commandLine(words));
          ranAt = Date.now();
          await new Promise((r) => setTimeout(r, 30));
          return { command: commandLine(words), code: 0, stdout: output, stderr: '' };
        },
      }),
    async httpGet(_o, _s, request: HostHttpRequest) {
      const back = backAfterMs[request.port] ?? 0;
      if (ranAt !== null && Date.now() - ranAt < back) throw new Error('connection refused');
      return { status: 200, body: 'ok' };
    },
  };
  return { host, commands };
}

describe('host:restart-runtime against a fake host', () => {
  const outputs = testOutputs({ runtimeRestart: RESTART });
  const ports = { frontend: outputs.services.frontend.port, api: outputs.services.api.port, proxy: outputs.services.proxy.port };

  it('records a new daemon and when each service answered again', async () => {
    const fake = restartingHost(formatRuntimeRestart({ before: BEFORE, after: AFTER }), {
      [ports.frontend]: 150,
      [ports.api]: 250,
      [ports.proxy]: 350,
    });
    const ctx = withHost(contextFor(outputs), fake.host);
    const result = await runFault(hostRestartRuntime, { watchSeconds: 5, pollMs: 50 }, ctx);
    expect(fake.commands).toEqual(['/repo/.rehearsal/restart-engine']);
    expect(result).toMatchObject({ daemonBefore: BEFORE, daemonAfter: AFTER, allAnsweredAgain: true });
    const services = (result as { services: { service: string; downAfterMs: number; answeredAfterMs: number }[] }).services;
    const byName = Object.fromEntries(services.map((s) => [s.service, s]));
    expect(byName.frontend?.answeredAfterMs).toBeGreaterThanOrEqual(150);
    expect(byName.api?.answeredAfterMs).toBeGreaterThanOrEqual(250);
    expect(byName.proxy?.answeredAfterMs).toBeGreaterThanOrEqual(350);
    expect(byName.proxy?.answeredAfterMs).toBeLessThan(2000);
    for (const s of services) expect(s.downAfterMs).toBeLessThan(s.answeredAfterMs);
  });

  it('a service that never comes back within the watch: allAnsweredAgain false, its time null', async () => {
    const fake = restartingHost(formatRuntimeRestart({ before: BEFORE, after: AFTER }), { [ports.api]: 60_000 });
    const ctx = withHost(contextFor(outputs), fake.host);
    const result = await runFault(hostRestartRuntime, { watchSeconds: 1, pollMs: 50 }, ctx);
    expect(result).toMatchObject({ allAnsweredAgain: false });
    expect(
      (result as { services: { service: string; answeredAfterMs: number | null }[] }).services.find((s) => s.service === 'api')
        ?.answeredAfterMs,
    ).toBeNull();
  });

  it('the same daemon after: the runtime did not restart, the activity fails', async () => {
    const fake = restartingHost(formatRuntimeRestart({ before: BEFORE, after: BEFORE }), {});
    const ctx = withHost(contextFor(outputs), fake.host);
    await expect(runFault(hostRestartRuntime, { watchSeconds: 0 }, ctx)).rejects.toThrow(/did not restart: pid 100/);
  });

  it('no before/after lines: fails, quoting what it printed', async () => {
    const fake = restartingHost('Job for docker.service failed', {});
    const ctx = withHost(contextFor(outputs), fake.host);
    await expect(runFault(hostRestartRuntime, { watchSeconds: 0 }, ctx)).rejects.toThrow(
      /printed no "before"\/"after" lines: Job for docker/,
    );
  });

  it('refused before connecting where the outputs name no command', async () => {
    const fake = restartingHost('', {});
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    await expect(runFault(hostRestartRuntime, {}, ctx)).rejects.toThrow(/not its to restart/);
    expect(fake.commands).toEqual([]);
  });
});
