/**
 * Redundancy end to end (issue 15): the rehearsal runs two copies of the API and of the frontend
 * (a swarm service per copy, ports 8080/8082 and 8081/8083) and one proxy balancing over them, and
 * stopping one API copy with `docker stop` on the host fails not one request through the proxy:
 * chaos/experiments/stop-one-api-copy.yaml, /api/status sampled at 50/s from the stop to the
 * confirmed recovery, every sample counted; and the same under `wrk` load, every answer counted.
 *
 * Brings the rehearsal up (fast when warm) and down again; run it alone, inside the e2e lock.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run, runCommand } from '../../rehearsal/command';
import { httpGet } from '../../rehearsal/http-check';
import { expectExit, runChaos } from './support/chaos-cli';
import { expectAllAvailable, expectNewIdentity, expectPlausibleRecovery, recoveryLine } from './support/experiment-checks';
import { figuresOf, readJournal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, waitForSteadyState } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');

describeIfPossible(missingForRehearsal(), 'the redundancy experiments against the rehearsal')(
  'two copies of the API and of the frontend',
  () => {
    const rehearsal = holdRehearsal();
    let dir = '';

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'e2e-redundancy-'));
    });

    afterAll(() => {
      if (dir !== '') rmSync(dir, { recursive: true, force: true });
    });

    test('two API containers and two frontend containers run, one swarm service each, and the proxy balances over the API copies', async () => {
      const { outputs, dockerEnv } = rehearsal();
      const names = (
        await run(
          'docker',
          ['ps', '--filter', 'label=platform.service', '--format', '{{.Label "platform.service"}}/{{.Label "platform.copy"}}'],
          {
            env: dockerEnv,
          },
        )
      )
        .split('\n')
        .filter((l) => l !== '')
        .sort();
      expect(names).toEqual(['api/1', 'api/2', 'frontend/1', 'frontend/2', 'proxy/1']);
      expect(outputs.services.api.copies?.map((c) => [c.serviceName, c.port])).toEqual([
        ['platform-local_api', 8080],
        ['platform-local_api-2', 8082],
      ]);
      expect(outputs.services.frontend.copies?.map((c) => c.port)).toEqual([8081, 8083]);
      const instances = new Set<string>();
      for (let i = 0; i < 20; i += 1) {
        const answer = await httpGet(`${outputs.publicUrl}/api/status`, { timeoutMs: 2000 });
        expect(answer.status).toBe(200);
        instances.add((JSON.parse(answer.body) as { instance: string }).instance);
      }
      expect(instances.size).toBe(2);
    });

    test('stop-one-api-copy.yaml: completed, exit 0, /api/status 100 % at >= 50 samples/s, zero failed samples, copy 1 replaced', async () => {
      await waitForSteadyState(rehearsal());
      const journalFile = path.join(dir, 'stop-one-api-copy.json');
      const result = await runChaos(path.join(EXPERIMENTS, 'stop-one-api-copy.yaml'), { journal: journalFile });
      console.log(`stop-one-api-copy.yaml (${(result.ms / 1000).toFixed(1)} s): ${result.stdout.trim()}`);
      expectExit(result, 0);
      const journal = readJournal(result.journal);
      console.log(`stop-one-api-copy.yaml: ${recoveryLine(journal)}`);
      expect(journal.status).toBe('completed');
      expect(journal.deviated).toBe(false);
      expectPlausibleRecovery(journal);
      expectAllAvailable(journal);
      expectNewIdentity(journal, {
        file: 'stop-one-api-copy.yaml',
        service: 'api',
        via: 'ssh',
        sampled: 'api-through-proxy',
        outcome: 'all-available',
      });

      const api = figuresOf(journal, 'api-through-proxy');
      const windowEnd = journal.recovery?.confirmedMs ?? 0;
      const samples = (journal.recovery?.samples ?? []).filter((s) => s.probe === 'api-through-proxy' && s.t <= windowEnd);
      const perSecond = samples.length / (windowEnd / 1000);
      console.log(
        `stop one API copy: /api/status ${String(api.availability)} % over ${samples.length} samples in ${(windowEnd / 1000).toFixed(2)} s ` +
          `(${perSecond.toFixed(1)} samples/s), failed ${api.failed}, max consecutive failures ${api.maxConsecutiveFailures}, longest gap ${String(api.longestGapMs)} ms`,
      );
      expect(api).toMatchObject({ rate: 50, availability: 100, failed: 0, maxConsecutiveFailures: 0 });
      expect(samples.every((s) => s.ok)).toBe(true);
      // The sampler's grid is 50/s; a loaded 2-core machine may lose a few slots at the edges.
      expect(perSecond).toBeGreaterThanOrEqual(45);
    });

    test('wrk on /api/status while API copy 1 is stopped with docker stop: every answer a 2xx, no socket error (counts printed)', async () => {
      await waitForSteadyState(rehearsal());
      const { outputs, dockerEnv } = rehearsal();
      // Two connections, each waiting 40 ms between requests: about 48 requests/s, under /api/'s
      // 50 r/s per client, so every answer is the copies' (beyond it, 429s measure the limit).
      const script = path.join(dir, 'count-statuses.lua');
      writeFileSync(
        script,
        [
          'local threads = {}',
          'function setup(thread) table.insert(threads, thread) end',
          'function init(args) ok = 0; other = 0 end',
          'function delay() return 40 end',
          'function response(status, headers, body) if status >= 200 and status < 300 then ok = ok + 1 else other = other + 1 end end',
          'function done(summary, latency, requests)',
          '  local o, x = 0, 0',
          '  for _, t in ipairs(threads) do o = o + t:get("ok"); x = x + t:get("other") end',
          '  local e = summary.errors',
          '  io.write(string.format("COUNTS ok=%d other=%d connect=%d read=%d write=%d timeout=%d status=%d p99=%d\\n", o, x, e.connect, e.read, e.write, e.timeout, e.status, latency:percentile(99)))',
          'end',
        ].join('\n'),
      );
      const copy1 = await run('docker', ['ps', '-q', '--filter', 'label=platform.service=api', '--filter', 'label=platform.copy=1'], {
        env: dockerEnv,
      });
      expect(copy1).toMatch(/^[0-9a-f]{12}$/);
      const wrk = runCommand(
        'wrk',
        ['-t', '1', '-c', '2', '-d', '12s', '--timeout', '5s', '-s', script, `${outputs.publicUrl}/api/status`],
        {
          timeoutMs: 60_000,
        },
      );
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const stopped = Date.now();
      await run('docker', ['stop', copy1], { env: dockerEnv });
      const stopMs = Date.now() - stopped;
      const result = await wrk;
      expect(result.code).toBe(0);
      const line = /COUNTS ok=(\d+) other=(\d+) connect=(\d+) read=(\d+) write=(\d+) timeout=(\d+) status=(\d+) p99=(\d+)/.exec(
        result.stdout,
      );
      if (line === null) throw new Error(`no counts from wrk:\n${result.stdout}\n${result.stderr}`);
      const [ok, other, connect, read, write, timeout, status, p99] = line.slice(1).map(Number) as number[];
      console.log(
        `wrk -c 2 (40 ms apart) for 12 s, API copy 1 stopped at 4 s (docker stop took ${stopMs} ms): ${String(ok)} 2xx, ${String(other)} other; socket errors connect ${String(connect)} read ${String(read)} write ${String(write)} timeout ${String(timeout)}; p99 ${String((p99 ?? 0) / 1000)} ms\n${result.stdout}`,
      );
      // Enough requests for the count to mean something: about 48/s for 12 s.
      expect(ok).toBeGreaterThan(400);
      expect({ other, connect, read, write, timeout, status }).toEqual({ other: 0, connect: 0, read: 0, write: 0, timeout: 0, status: 0 });
      // The orchestrator brings copy 1 back.
      await waitForSteadyState(rehearsal());
    });

    test('rolling-deploy.yaml: both API copies on the new tag one at a time, /api/status 100 % at >= 50 samples/s, zero failed samples, rolled back after', async () => {
      await waitForSteadyState(rehearsal());
      const { dockerEnv } = rehearsal();
      const imageOf = async (name: string): Promise<string> =>
        (
          await run('docker', ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', name], { env: dockerEnv })
        ).trim();
      const before = [await imageOf('platform-local_api'), await imageOf('platform-local_api-2')];
      const journalFile = path.join(dir, 'rolling-deploy.json');
      const result = await runChaos(path.join(REPO_ROOT, 'chaos', 'experiments-local', 'rolling-deploy.yaml'), { journal: journalFile });
      console.log(`rolling-deploy.yaml (${(result.ms / 1000).toFixed(1)} s): ${result.stdout.trim()}`);
      expectExit(result, 0);
      const journal = readJournal(result.journal);
      console.log(`rolling-deploy.yaml: ${recoveryLine(journal)}`);
      expect(journal.status).toBe('completed');
      expect(journal.deviated).toBe(false);
      expectAllAvailable(journal);

      // The deployment: copy 1, then copy 2, each from its image to the new tag, each healthy before the next.
      const roll = journal.run[0];
      expect(roll?.status).toBe('succeeded');
      const copies = (roll?.output as { copies: { serviceName: string; from: string; to: string; changed: boolean; tookMs: number }[] })
        .copies;
      expect(copies.map((c) => [c.serviceName, c.changed, c.to.endsWith(':rolling')])).toEqual([
        ['platform-local_api', true, true],
        ['platform-local_api-2', true, true],
      ]);
      expect(copies.map((c) => c.from)).toEqual(before);

      const api = figuresOf(journal, 'api-through-proxy');
      const windowEnd = journal.recovery?.confirmedMs ?? 0;
      const samples = (journal.recovery?.samples ?? []).filter((s) => s.probe === 'api-through-proxy' && s.t <= windowEnd);
      const perSecond = samples.length / (windowEnd / 1000);
      console.log(
        `rolling deploy of the API: /api/status ${String(api.availability)} % over ${samples.length} samples in ${(windowEnd / 1000).toFixed(2)} s ` +
          `(${perSecond.toFixed(1)} samples/s), failed ${api.failed}, max consecutive failures ${api.maxConsecutiveFailures}; copies took ${copies.map((c) => c.tookMs).join(' and ')} ms`,
      );
      expect(api).toMatchObject({ rate: 50, availability: 100, failed: 0, maxConsecutiveFailures: 0 });
      expect(perSecond).toBeGreaterThanOrEqual(45);
      // The window covers the whole deployment (both copies), not just its start.
      expect(windowEnd).toBeGreaterThanOrEqual(copies.reduce((sum, c) => sum + c.tookMs, 0));

      // The rollback rolled both copies back to what they ran.
      expect(journal.rollbacks.map((r) => r.status)).toEqual(['succeeded']);
      expect([await imageOf('platform-local_api'), await imageOf('platform-local_api-2')].map((i) => i.replace(/@sha256:.*$/, ''))).toEqual(
        before.map((i) => i.replace(/@sha256:.*$/, '')),
      );
    });
  },
);
