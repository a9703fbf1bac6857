import { execFileSync } from 'node:child_process';
import { main, revisions } from '../../review/cli';

describe('npm run review: bad input ends in one line and exit 2', () => {
  let stderr: string[];
  let spy: jest.SpyInstance;
  beforeEach(() => {
    stderr = [];
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
  });
  afterEach(() => spy.mockRestore());

  it('requires --base', async () => {
    expect(await main([])).toBe(2);
    expect(stderr.join('')).toMatch(/required option '--base <ref>' not specified/);
  });

  it('names a base ref that is not a commit, and how to fix it', async () => {
    expect(await main(['--base', 'no-such-branch-xyz', '--quiet'])).toBe(2);
    expect(stderr.join('')).toMatch(
      /^review: --base no-such-branch-xyz: not a commit in this repository \(try a branch, tag or sha, e.g\. origin\/main\)\n$/,
    );
  });

  it('refuses an unknown --fail-on kind before any work', async () => {
    expect(await main(['--base', 'HEAD', '--fail-on', 'downtime,cost', '--quiet'])).toBe(2);
    expect(stderr.join('')).toBe(
      'review: --fail-on cost: not a risk kind (expected a comma-separated list of downtime, security, data-loss, policy)\n',
    );
  });

  it('refuses a stack the head does not have', async () => {
    expect(await main(['--base', 'HEAD', '--stack', 'nope', '--quiet'])).toBe(2);
    expect(stderr.join('')).toMatch(/--stack nope: not in the head \(stacks: dev, prod\)/);
  });
});

describe('the revisions line of the comment', () => {
  it('names the base ref with its full sha and the head sha', () => {
    const sha = (ref: string) => execFileSync('git', ['rev-parse', ref], { encoding: 'utf8' }).trim();
    expect(revisions('HEAD~1')).toMatch(new RegExp(`^Base \`HEAD~1\` at \`${sha('HEAD~1')}\` · head \`${sha('HEAD')}\``));
  });
});
