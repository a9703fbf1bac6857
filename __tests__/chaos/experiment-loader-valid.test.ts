import type { Experiment } from '../../chaos/model/types';
import { base, type Doc, httpProbe, load, withValue } from './helpers/experiment-doc';

describe('loader: valid experiments', () => {
  it('GIVEN a native experiment THEN defaults are filled in', () => {
    const e = load(base());
    expect(e.title).toBe('Exp');
    expect(e.rollbackStrategy).toBe('default'); // chaostoolkit's, when none is named
    expect(e.method[0]).toMatchObject({
      type: 'action',
      pauses: { before: 0, after: 0 },
      background: false,
      provider: { type: 'process', path: 'true', arguments: [] },
    });
    expect(e.hypothesis?.probes[0]?.tolerance).toEqual({ kind: 'exact', value: 200 });
  });

  it.each<[string, Doc, Record<string, string>, (e: Experiment) => void]>([
    [
      'env configuration with default, substituted',
      withValue(
        ['configuration'],
        { base: { type: 'env', key: 'BASE', default: 'http://127.0.0.1:9' } },
        withValue(['method', 0], httpProbe('p', { provider: { type: 'http', url: '${base}/x' } })),
      ),
      {},
      (e) => expect(e.method[0]?.provider).toMatchObject({ url: 'http://127.0.0.1:9/x' }),
    ],
    [
      'env configuration read from the environment',
      withValue(
        ['configuration'],
        { base: { type: 'env', key: 'BASE' } },
        withValue(['method', 0], httpProbe('p', { provider: { type: 'http', url: '${base}' } })),
      ),
      { BASE: 'http://127.0.0.1:7' },
      (e) => expect(e.method[0]?.provider).toMatchObject({ url: 'http://127.0.0.1:7' }),
    ],
    [
      'a whole-string reference keeps its type',
      withValue(['configuration'], { wait: 2 }, withValue(['method', 0, 'pauses'], { after: '${wait}' })),
      {},
      (e) => expect(e.method[0]?.pauses.after).toBe(2),
    ],
    [
      'env_var_type int',
      withValue(
        ['configuration'],
        { wait: { type: 'env', key: 'W', env_var_type: 'int' } },
        withValue(['method', 0, 'pauses'], { before: '${wait}' }),
      ),
      { W: '3' },
      (e) => expect(e.method[0]?.pauses.before).toBe(3),
    ],
    [
      '$${ writes a literal ${',
      withValue(['method', 0, 'provider', 'arguments'], ['$${HOME}']),
      {},
      (e) => expect(e.method[0]?.provider).toMatchObject({ arguments: ['${HOME}'] }),
    ],
    [
      'process arguments as a string are split like a shell would',
      withValue(['method', 0, 'provider', 'arguments'], `-c 'echo "a b"' x\\ y`),
      {},
      (e) => expect(e.method[0]?.provider).toMatchObject({ arguments: ['-c', 'echo "a b"', 'x y'] }),
    ],
    [
      'process arguments as a mapping are flattened',
      withValue(['method', 0, 'provider', 'arguments'], { '--n': 3, '--v': '' }),
      {},
      (e) => expect(e.method[0]?.provider).toMatchObject({ arguments: ['--n', '3', '--v'] }),
    ],
    [
      'a fault provider with defaults from its schema',
      withValue(['method', 0], { type: 'probe', name: 'g', provider: { type: 'fault', id: 'http:get' } }),
      {},
      (e) => expect(e.method[0]?.provider).toMatchObject({ type: 'fault', id: 'http:get', arguments: {} }),
    ],
    [
      'recovery defaults',
      withValue(['recovery'], { within: 30, availability: { min: 99, probe: 'health' } }),
      {},
      (e) => expect(e.recovery).toEqual({ within: 30, poll: 1, availability: [{ min: 99, probe: 'health', rate: 20, timeout: 2 }] }),
    ],
    [
      'recovery sampling several probes, each with its own rate, min optional',
      withValue(
        ['recovery'],
        {
          within: 30,
          poll: 0.2,
          availability: [
            { probe: 'health', min: 100, rate: 50 },
            { probe: 'health-2', timeout: 0.5 },
          ],
        },
        withValue(['steady-state-hypothesis', 'probes', 1], httpProbe('health-2', { tolerance: 200 })),
      ),
      {},
      (e) =>
        expect(e.recovery).toEqual({
          within: 30,
          poll: 0.2,
          availability: [
            { probe: 'health', min: 100, rate: 50, timeout: 2 },
            { probe: 'health-2', rate: 20, timeout: 0.5 },
          ],
        }),
    ],
    [
      'chaostoolkit runtime strategy',
      withValue(['runtime'], { rollbacks: { strategy: 'deviated' } }),
      {},
      (e) => expect(e.rollbackStrategy).toBe('deviated'),
    ],
    [
      'chaostoolkit "default" strategy keeps its meaning (skipped on failed or interrupted runs)',
      withValue(['runtime'], { rollbacks: { strategy: 'default' } }),
      {},
      (e) => expect(e.rollbackStrategy).toBe('default'),
    ],
    [
      'chaostoolkit ref in the method',
      withValue(['method', 1], { ref: 'health' }),
      {},
      (e) => expect(e.method[1]).toMatchObject({ type: 'probe', name: 'health' }),
    ],
    [
      'chaostoolkit version, contributions, extensions',
      { ...base(), version: '1.0.0', contributions: { availability: 'high' }, extensions: [{ name: 'x' }] },
      {},
      (e) => expect(e.document.version).toBe('1.0.0'),
    ],
    [
      'http method in lower case',
      withValue(['method', 0], httpProbe('p', { provider: { type: 'http', url: 'http://127.0.0.1:1', method: 'post' } })),
      {},
      (e) => expect(e.method[0]?.provider).toMatchObject({ method: 'POST' }),
    ],
    [
      'background and pauses',
      withValue(['method', 0], {
        type: 'action',
        name: 'bg',
        background: true,
        pauses: { before: 1 },
        provider: { type: 'process', path: 'true' },
      }),
      {},
      (e) => expect(e.method[0]).toMatchObject({ background: true, pauses: { before: 1, after: 0 } }),
    ],
    [
      'secrets from the environment are substituted and remembered for redaction',
      withValue(
        ['secrets'],
        { api: { token: { type: 'env', key: 'TOKEN' } } },
        withValue(
          ['method', 0],
          httpProbe('p', { provider: { type: 'http', url: 'http://127.0.0.1:1', headers: { authorization: 'Bearer ${token}' } } }),
        ),
      ),
      { TOKEN: 's3cret' },
      (e) => expect(e.secretValues).toEqual(['s3cret']),
    ],
  ])('%s', (_name, doc, env, check) => {
    check(load(doc, env));
  });

  it('GIVEN YAML text THEN it loads like JSON', () => {
    const e = load(
      'title: Y\ndescription: d\nmethod:\n  - type: action\n    name: a\n    provider: {type: process, path: "true", arguments: [-n]}\n',
    );
    expect(e.method[0]?.provider).toMatchObject({ arguments: ['-n'] });
  });
});
