import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, runCli } from '../helpers/cli-harness';
import { LocalServer } from '../helpers/local-server';
import { outputsFor } from '../helpers/outputs-fixture';
import { HAND_MADE } from './hand-made-journals';

let dir: string;
let server: LocalServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-report-cli-'));
  server = await new LocalServer().start();
  const good = `title: Good\ndescription: d\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: health, tolerance: 200, provider: {type: http, url: "${server.url}/healthz"}}\nmethod:\n  - {type: action, name: flap, provider: {type: http, url: "${server.url}/__fail?ms=200"}}\nrecovery: {within: 5, poll: 0.2, availability: {min: 10, probe: health, rate: 20, timeout: 0.5}}\n`;
  await writeFile(join(dir, 'good.yaml'), good);
  await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputsFor(server.url)));
  await writeFile(join(dir, 'completed.json'), JSON.stringify(HAND_MADE.completed));
  await writeFile(join(dir, 'deviated.json'), JSON.stringify(HAND_MADE.deviated));
});
afterAll(async () => server.stop());

describe('chaos report --format', () => {
  it.each([
    ['--format html --out', ['report', 'completed.json', '--format', 'html', '--out', 'a.html'], 'a.html', /^<!doctype html>/],
    ['an .html --out (format inferred)', ['report', 'completed.json', '--out', 'b.html'], 'b.html', /^<!doctype html>/],
    [
      '--format markdown into an .html name (explicit wins)',
      ['report', 'completed.json', '--format', 'markdown', '--out', 'c.html'],
      'c.html',
      /^# The API comes back/,
    ],
    [
      'no format (Markdown, as before)',
      ['report', 'completed.json', '--out', 'd.md'],
      'd.md',
      /^# The API comes back[^\n]*\n\n\*\*Verdict: PASSED\*\*/,
    ],
  ])('GIVEN %s THEN the file has that format', async (_name, argv, file, head) => {
    const result = await runCli(argv, dir);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: `wrote ${file}\n` });
    expect(await readFile(join(dir, file), 'utf8')).toMatch(head);
  });

  it('GIVEN two journals and --format html THEN one page to stdout, comparison first', async () => {
    const result = await runCli(['report', 'completed.json', 'deviated.json', '--format', 'html'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout.indexOf('<section class="comparison">')).toBeLessThan(result.stdout.indexOf('<article class="run" id="run-1">'));
    expect(result.stdout.match(/<article class="run"/g)).toHaveLength(2);
  });

  it('GIVEN an unknown format THEN exit 2 with one line', async () => {
    const result = await runCli(['report', 'completed.json', '--format', 'pdf'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^chaos: option '--format <format>' argument 'pdf' is invalid\. Allowed choices are markdown, html\. \(see --help\)\n$/,
    );
  });
});

/** Directories a shared report must not name: where this test's journals and the checkout live. */
const MACHINE_ROOTS = ['/tmp/', '/work/', '/home/', '/root/'];

describe('chaos report: links and provenance', () => {
  let journal: string;
  beforeAll(async () => {
    await mkdir(join(dir, 'journals', 'day 2'), { recursive: true });
    // Absolute paths wherever a journal holds one: the experiment file, the outputs file, a reason.
    const j = {
      ...HAND_MADE.deviated,
      experiment_file: join(dir, 'exp.yaml'),
      outputs: { ...HAND_MADE.deviated.outputs, file: join(REPO, '.rehearsal', 'outputs.json'), imageTag: 'sha-1a2b3c4' },
      reasons: [`process ${join(dir, 'probe.sh')} exited 1`, ...HAND_MADE.deviated.reasons],
      git_commit: 'abc1234',
    };
    journal = join(dir, 'journals', 'day 2', 'deviated.json');
    await writeFile(journal, JSON.stringify(j));
  });

  it.each([
    ['HTML in the same directory tree', ['--out', 'report.html'], 'report.html', 'href="journals/day%202/deviated.json"'],
    ['Markdown in a sub-directory', ['--out', 'reports/r.md'], 'reports/r.md', '](../journals/day%202/deviated.json)'],
  ])('GIVEN %s THEN journals are linked relative to the report, and no machine path is left', async (_n, args, file, link) => {
    await mkdir(join(dir, 'reports'), { recursive: true });
    const result = await runCli(['report', 'journals/day 2/deviated.json', 'completed.json', ...args], dir);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const text = await readFile(join(dir, file), 'utf8');
    expect(text).toContain(link);
    for (const root of MACHINE_ROOTS) expect(text).not.toContain(root);
    expect(text).toContain('process probe.sh exited 1');
    // Provenance: the image tag and the commit the journal records, the engine, and the tool's version.
    const version = (JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    expect(text).toContain('sha-1a2b3c4');
    expect(text).toContain('abc1234');
    expect(text).toContain(`ecs-chaos-platform ${version}`);
    expect(text).toMatch(new RegExp(`Made by ecs-chaos-platform ${version.replace(/\./g, '\\.')} at commit [0-9a-f]{7,}`));
  });

  it('GIVEN an absolute journal path and stdout THEN links are relative to the working directory', async () => {
    const result = await runCli(['report', journal, '--format', 'html'], join(dir, 'journals'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('<a href="day%202/deviated.json">day 2/deviated.json</a>');
    for (const root of MACHINE_ROOTS) expect(result.stdout).not.toContain(root);
  });
});

describe('chaos run --report', () => {
  it('GIVEN --report html THEN the report is written beside the journal and named after the verdict', async () => {
    const result = await runCli(
      ['run', 'good.yaml', '--outputs', 'outputs.json', '--journal', 'out/good.json', '--quiet', '--report', 'html'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^completed: Good; recovered in [\d.]+s \(by the (sampler|poll)\), availability [\d.]+%; journal out\/good\.json\nreport out\/good\.html\n$/,
    );
    const html = await readFile(join(dir, 'out', 'good.html'), 'utf8');
    expect(html).toMatch(/<section class="verdict v-passed" data-verdict="passed"><span class="badge">PASSED<\/span>/);
    expect(html).toMatch(/<figure class="timeline" data-samples="\d+">\s*<svg /);
    // Beside its journal, the report links to it by name and names no directory of this machine.
    expect(html).toContain('<dd><a href="good.json">good.json</a></dd>');
    for (const root of MACHINE_ROOTS) expect(html).not.toContain(root);
  });

  it('GIVEN --report markdown THEN <journal>.md', async () => {
    const result = await runCli(
      ['run', 'good.yaml', '--outputs', 'outputs.json', '--journal', 'out/md.json', '--quiet', '--report', 'markdown'],
      dir,
    );
    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'out', 'md.md'), 'utf8')).toMatch(/^# Good\n\n\*\*Verdict: PASSED\*\*/);
  });

  it('GIVEN no --report THEN only the journal', async () => {
    const result = await runCli(['run', 'good.yaml', '--outputs', 'outputs.json', '--journal', 'out/plain.json', '--quiet'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('report ');
    expect(existsSync(join(dir, 'out', 'plain.html'))).toBe(false);
  });

  it('GIVEN --dry-run --report html THEN nothing is written', async () => {
    const result = await runCli(
      ['run', 'good.yaml', '--outputs', 'outputs.json', '--journal', 'out/dry.json', '--dry-run', '--report', 'html'],
      dir,
    );
    expect(result.code).toBe(0);
    expect(existsSync(join(dir, 'out', 'dry.html'))).toBe(false);
  });
});
