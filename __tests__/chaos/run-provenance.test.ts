import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { readableJournalSchema } from '../../contract/journal';
import { REPO, runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';

/**
 * Provenance in the journal: the short commit of the checkout holding the experiment file
 * (`git_commit`, null outside one) and the image tag when the outputs name it; the report shows both.
 */

const git = promisify(execFile);

let server: LocalServer;
beforeAll(async () => {
  server = await new LocalServer().start();
});
afterAll(async () => server.stop());

const experiment = (url: string): string =>
  `title: Provenance\ndescription: The site answers.\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: health, tolerance: 200, provider: {type: http, url: "${url}/healthz"}}\nmethod: []\n`;

/** The facts row of the HTML report, e.g. `Commit of the run` → its value. */
function fact(html: string, name: string): string | undefined {
  return new RegExp(`<dt>${name}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
}

async function readJournal(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
}

describe('the journal records where the run came from', () => {
  it('GIVEN an experiment in its own git checkout THEN git_commit is that checkout’s short HEAD (not the tool’s), and the HTML report shows it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-provenance-git-'));
    await writeFile(join(dir, 'exp.yaml'), experiment(server.url));
    const author = ['-c', 'user.name=chaos test', '-c', 'user.email=chaos@example.com'];
    await git('git', ['init', '-q', dir]);
    await git('git', ['-C', dir, 'add', 'exp.yaml']);
    await git('git', ['-C', dir, ...author, 'commit', '-q', '-m', 'experiment']);
    const expected = (await git('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'])).stdout.trim();
    const tool = (await git('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'])).stdout.trim();
    expect(expected).not.toBe(tool);

    const result = await runCli(['run', 'exp.yaml', '--journal', 'j.json', '--quiet', '--report', 'html'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const journal = await readJournal(join(dir, 'j.json'));
    expect(journal.git_commit).toBe(expected);
    const html = await readFile(join(dir, 'j.html'), 'utf8');
    expect(fact(html, 'Commit of the run')).toBe(expected);
    const markdown = await runCli(['report', 'j.json'], dir);
    expect(markdown.stdout).toContain(`commit of the run: ${expected}`);
  }, 30_000);

  it('GIVEN a seed experiment of this repository THEN git_commit is `git rev-parse --short HEAD` of this checkout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-provenance-seed-'));
    const seed = join(__dirname, 'fixtures', 'seed-2019');
    const env = {
      ...process.env,
      PATH: `${join(seed, 'stand-ins')}${delimiter}${process.env.PATH ?? ''}`,
      ECS_CLUSTER: 'platform-dev',
      PROXY_URL: server.url,
    };
    const result = await runCli(['run', join(seed, 'restart-proxy.json'), '--journal', 'j.json', '--quiet', '--yes'], dir, env);
    expect(result.code).toBe(0);
    const head = (await git('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'])).stdout.trim();
    expect((await readJournal(join(dir, 'j.json'))).git_commit).toBe(head);
  }, 30_000);

  it.each([
    ['outside any git checkout', false, undefined],
    ['in a git checkout, git missing from PATH', true, '/nonexistent'],
  ])(
    'GIVEN an experiment %s THEN git_commit is null, the run completes, the report says "not recorded"',
    async (_name, inGit, path) => {
      const dir = await mkdtemp(join(tmpdir(), 'chaos-provenance-nogit-'));
      await writeFile(join(dir, 'exp.yaml'), experiment(server.url));
      if (inGit) await git('git', ['init', '-q', dir]);
      if (inGit)
        await git('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'x']);
      const env = path === undefined ? process.env : { ...process.env, PATH: path };
      const result = await runCli(['run', 'exp.yaml', '--journal', 'j.json', '--quiet', '--report', 'html'], dir, env);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const journal = await readJournal(join(dir, 'j.json'));
      expect(journal.status).toBe('completed');
      expect(journal.git_commit).toBeNull();
      expect(fact(await readFile(join(dir, 'j.html'), 'utf8'), 'Commit of the run')).toBe('not recorded');
    },
    30_000,
  );

  it('GIVEN outputs naming imageTag THEN the journal’s outputs record it and the report shows it; without, neither does', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-provenance-image-'));
    await writeFile(join(dir, 'exp.yaml'), experiment(server.url));
    await writeFile(join(dir, 'tagged.json'), JSON.stringify({ ...outputsFor(server.url), imageTag: 'sha-1a2b3c4' }));
    await writeFile(join(dir, 'untagged.json'), JSON.stringify(outputsFor(server.url)));
    for (const [outputs, tag] of [
      ['tagged.json', 'sha-1a2b3c4'],
      ['untagged.json', undefined],
    ] as const) {
      const result = await runCli(
        ['run', 'exp.yaml', '--outputs', outputs, '--journal', 'j.json', '--force', '--quiet', '--report', 'html'],
        dir,
      );
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const journal = await readJournal(join(dir, 'j.json'));
      expect((journal.outputs as Record<string, unknown>).imageTag).toBe(tag);
      expect(fact(await readFile(join(dir, 'j.html'), 'utf8'), 'Image tag')).toBe(tag ?? 'not recorded');
    }
  }, 30_000);

  it('GIVEN outputs whose imageTag is not a Docker tag THEN they are refused, naming the field, exit 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-provenance-badtag-'));
    await writeFile(join(dir, 'exp.yaml'), experiment(server.url));
    await writeFile(join(dir, 'o.json'), JSON.stringify({ ...outputsFor(server.url), imageTag: 'v1; rm -rf /' }));
    const result = await runCli(['run', 'exp.yaml', '--outputs', 'o.json', '--journal', 'j.json', '--quiet'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/imageTag: expected a Docker tag/);
  });

  it('GIVEN a journal written before git_commit THEN it still reads, without one', () => {
    const old = {
      experiment: { title: 't' },
      start: '2026-01-01T00:00:00.000Z',
      end: '2026-01-01T00:00:01.000Z',
      duration: 1,
      status: 'completed',
      deviated: false,
    };
    const parsed = readableJournalSchema.parse(old);
    expect(parsed.git_commit).toBeUndefined();
    expect(readableJournalSchema.parse({ ...old, git_commit: null }).git_commit).toBeNull();
  });
});
