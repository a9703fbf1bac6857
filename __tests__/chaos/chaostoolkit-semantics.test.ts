/**
 * Our verdicts against chaostoolkit's, case by case. Each case states what chaostoolkit-lib (1.x)
 * decides and where that comes from; the test asserts we decide the same. The two deliberate
 * differences (chaos/README.md) are at the end, asserted as differences.
 *
 * Sources (chaostoolkit-lib, chaoslib/): experiment.py `ensure_experiment_is_valid`,
 * extension.py `validate_extensions`, activity.py `ensure_activity_is_valid`, hypothesis.py
 * (`ensure_hypothesis_is_valid`, `ensure_hypothesis_tolerance_is_valid`, `check_regex_pattern`,
 * `check_json_path`, `check_range`, `within_tolerance`), provider/process.py
 * `validate_process_activity`, provider/http.py `run_http_activity`; JSONPath is jsonpath2's
 * grammar (JSONPath.g4) and its filter/recursive-descent nodes.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as httpRequest from '../../chaos/sampling/http-request';
import { runHttp } from '../../chaos/engine/providers/http';
import { withinTolerance, type PureTolerance } from '../../chaos/engine/tolerance';
import { loadExperiment } from '../../chaos/model/load-experiment';
import type { HttpProvider } from '../../chaos/model/types';
import type { JsonObject, JsonValue } from '../../contract/json';
import { runDocument } from './helpers/engine-harness';
import { base, type Doc, httpProbe, load, withValue } from './helpers/experiment-doc';
import { TEST_CATALOG } from './helpers/test-faults';

type Verdict = 'valid' | 'invalid';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-ctk-'));
});

/** Our verdict, through the same loader as `chaos validate` (the file on disk, paths checked). */
async function ourVerdict(doc: Doc): Promise<{ verdict: Verdict; message: string }> {
  const file = join(dir, 'exp.json');
  await writeFile(file, JSON.stringify(doc));
  try {
    await loadExperiment('exp.json', file, { catalog: TEST_CATALOG, env: { PATH: process.env.PATH }, cwd: dir });
    return { verdict: 'valid', message: '' };
  } catch (error) {
    return { verdict: 'invalid', message: error instanceof Error ? error.message : String(error) };
  }
}

const hypothesisTolerance = (tolerance: unknown): Doc => withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], tolerance);

describe('validation: the verdicts of chaostoolkit-lib', () => {
  it.each<[string, Doc, Verdict, RegExp | null]>([
    // experiment.py: "experiment requires a title" / "a description"
    ['a complete experiment', base(), 'valid', null],
    ['no title', withValue(['title'], undefined), 'invalid', /^exp\.json: title: /],
    ['no description', withValue(['description'], undefined), 'invalid', /^exp\.json: description: /],
    ['an empty description', withValue(['description'], ''), 'invalid', /^exp\.json: description: expected a description/],
    // experiment.py: "experiment tags must be a non-empty string"
    ['an empty tag', withValue(['tags'], ['ok', '']), 'invalid', /^exp\.json: tags\[1\]: expected a non-empty tag/],
    ['a blank tag is not empty', withValue(['tags'], [' ']), 'valid', null],
    // extension.py: "All extensions require a non-empty name"
    ['an extension without a name', withValue(['extensions'], [{ settings: 1 }]), 'invalid', /^exp\.json: extensions\[0\]\.name: /],
    [
      'an extension with a blank name',
      withValue(['extensions'], [{ name: '  ' }]),
      'invalid',
      /extensions\[0\]\.name: expected a non-blank name/,
    ],
    ['an extension with a name', withValue(['extensions'], [{ name: 'chaosiq', anything: [1] }]), 'valid', null],
    // experiment.py: the method key is required, "which can be empty for only checking steady state hypothesis"
    ['an empty method', withValue(['method'], []), 'valid', null],
    ['no method', withValue(['method'], undefined), 'invalid', /^exp\.json: method: /],
    // hypothesis.py ensure_hypothesis_is_valid: a title; each probe needs a tolerance
    [
      'a hypothesis without a title',
      withValue(['steady-state-hypothesis', 'title'], undefined),
      'invalid',
      /steady-state-hypothesis\.title: /,
    ],
    ['a hypothesis probe without tolerance', hypothesisTolerance(undefined), 'invalid', /probes\[0\]\.tolerance: /],
    // hypothesis.py ensure_hypothesis_tolerance_is_valid: bool, int, list, str or dict
    ['tolerance 200', hypothesisTolerance(200), 'valid', null],
    ['tolerance true', hypothesisTolerance(true), 'valid', null],
    ['tolerance "ok"', hypothesisTolerance('ok'), 'valid', null],
    ['tolerance []', hypothesisTolerance([]), 'valid', null],
    ['tolerance of mixed list', hypothesisTolerance(['a', 1, { b: 2 }]), 'valid', null],
    ['tolerance 0.5 (a float)', hypothesisTolerance(0.5), 'invalid', /probes\[0\]\.tolerance: expected a tolerance: .*such as 0\.5/],
    ['tolerance null', hypothesisTolerance(null), 'invalid', /probes\[0\]\.tolerance: /],
    ['an unknown tolerance type', hypothesisTolerance({ type: 'between' }), 'invalid', /probes\[0\]\.tolerance\.type: /],
    // hypothesis.py check_range: a list of two numbers (their order is not checked)
    ['range [5, 1]', hypothesisTolerance({ type: 'range', range: [5, 1] }), 'valid', null],
    ['range of one number', hypothesisTolerance({ type: 'range', range: [5] }), 'invalid', /tolerance\.range: /],
    ['range with a string bound', hypothesisTolerance({ type: 'range', range: ['a', 5] }), 'invalid', /tolerance\.range\[0\]: /],
    ['range without range', hypothesisTolerance({ type: 'range' }), 'invalid', /tolerance\.range: /],
    // hypothesis.py check_regex_pattern: re.compile must accept it
    ['regex (?i)^ok$', hypothesisTolerance({ type: 'regex', pattern: '(?i)^ok$' }), 'valid', null],
    ['regex \\Aok\\Z', hypothesisTolerance({ type: 'regex', pattern: '\\Aok\\Z' }), 'valid', null],
    ['regex (?P<word>\\w+)', hypothesisTolerance({ type: 'regex', pattern: '(?P<word>\\w+)' }), 'valid', null],
    ['regex that does not compile', hypothesisTolerance({ type: 'regex', pattern: '(' }), 'invalid', /tolerance\.pattern: /],
    ['regex without pattern', hypothesisTolerance({ type: 'regex' }), 'invalid', /tolerance\.pattern: /],
    // hypothesis.py check_json_path: non-empty, JSONPath.parse_str (jsonpath2's grammar) must accept it
    ['jsonpath $..name', hypothesisTolerance({ type: 'jsonpath', path: '$..name' }), 'valid', null],
    ['jsonpath with a filter', hypothesisTolerance({ type: 'jsonpath', path: '$.items[*][?(@.state = "up" and @.n > 1)]' }), 'valid', null],
    ['jsonpath slice and union', hypothesisTolerance({ type: 'jsonpath', path: '$.a[0:2].b["c", "d"]' }), 'valid', null],
    ['jsonpath blank', hypothesisTolerance({ type: 'jsonpath', path: '  ' }), 'invalid', /tolerance\.path: /],
    [
      "jsonpath $['a'] (jsonpath2 strings are double-quoted)",
      hypothesisTolerance({ type: 'jsonpath', path: "$['a']" }),
      'invalid',
      /tolerance\.path: /,
    ],
    [
      'jsonpath == (jsonpath2 equality is =)',
      hypothesisTolerance({ type: 'jsonpath', path: '$[?(@.a == 1)]' }),
      'invalid',
      /tolerance\.path: /,
    ],
    // activity.py ensure_activity_is_valid
    ['an activity without a name', withValue(['method', 0, 'name'], undefined), 'invalid', /^exp\.json: method\[0\]\.name: /],
    ['background "yes"', withValue(['method', 0, 'background'], 'yes'), 'invalid', /method\[0\]\.background: /],
    ['a pause that is a string', withValue(['method', 0, 'pauses'], { before: '1' }), 'invalid', /method\[0\]\.pauses\.before: /],
    // provider/process.py validate_process_activity: shutil.which(path), then os.access(X_OK)
    ['a process path on PATH', withValue(['method', 0, 'provider'], { type: 'process', path: 'true' }), 'valid', null],
    [
      'a process path that does not exist',
      withValue(['method', 0, 'provider'], { type: 'process', path: './no-such-script.sh' }),
      'invalid',
      /^exp\.json: method\[0\]\.provider\.path: executable "\.\/no-such-script\.sh" is not found .*; fix the path or chmod \+x it$/,
    ],
    // provider/http.py: a URL; max_retries is read
    [
      'http max_retries',
      withValue(['method', 0], httpProbe('h', { provider: { type: 'http', url: 'http://127.0.0.1:1/', max_retries: 3 } })),
      'valid',
      null,
    ],
    [
      'http without url',
      withValue(['method', 0], httpProbe('h', { provider: { type: 'http' } })),
      'invalid',
      /method\[0\]\.provider\.url: /,
    ],
  ])('%s', async (_name, doc, chaostoolkit, where) => {
    const ours = await ourVerdict(doc);
    expect(ours.verdict).toBe(chaostoolkit);
    if (where !== null) expect(ours.message).toMatch(where);
    expect(ours.message).not.toMatch(/\n/);
  });

  it.each<[string, Doc, RegExp]>([
    ['top-level dry_run', { ...base(), dry_run: true }, /^exp\.json: dry_run: dry runs are not supported .*chaos run --dry-run/],
    ['top-level dry', { ...base(), dry: 'actions' }, /^exp\.json: dry: dry runs are not supported/],
    ['an activity with dry', withValue(['method', 0, 'dry'], true), /^exp\.json: method\[0\]\.dry: dry runs are not supported/],
  ])('%s is refused as not supported, saying what to use instead', async (_name, doc, message) => {
    expect((await ourVerdict(doc)).message).toMatch(message);
  });
});

/** The tolerance as our loader reads it from a hypothesis probe. */
function tolerance(written: unknown): PureTolerance {
  const t = load(hypothesisTolerance(written)).hypothesis?.probes[0]?.tolerance;
  if (t === undefined || t.kind === 'probe') throw new Error('expected a pure tolerance');
  return t;
}

describe("tolerances: chaoslib's within_tolerance", () => {
  const items: JsonValue = {
    items: [
      { name: 'a', ok: true },
      { name: 'b', ok: false },
      { name: 'c', ok: true, nested: { name: 'd' } },
    ],
  };
  it.each<[string, unknown, JsonValue, boolean]>([
    // int: value["status"] == tolerance for a dict with a status, else value == tolerance (True == 1)
    ['200 on an HTTP result', 200, { status: 200, headers: {}, body: '' }, true],
    ['200 on another status', 200, { status: 503, headers: {}, body: '' }, false],
    ['1 on True', 1, true, true],
    ['0 on a process result', 0, { status: 0, stdout: '', stderr: '' }, true],
    // bool, str: value == tolerance
    ['true on 1', true, 1, true],
    ['true on a result', true, { status: 200 }, false],
    ['"ok" on "ok"', 'ok', 'ok', true],
    ['"ok" on "ok\\n"', 'ok', 'ok\n', false],
    // list: status in tolerance; else two values bound the value (Python <=); else membership
    ['[200, 204] on status 204', [200, 204], { status: 204 }, true],
    ['[200, 204] on status 202', [200, 204], { status: 202 }, false],
    ['[1, 5] on 3', [1, 5], 3, true],
    ['[1, 5] on 6', [1, 5], 6, false],
    ['[1, 5] on true', [1, 5], true, true],
    ['["a", "z"] on "m"', ['a', 'z'], 'm', true],
    ['["a", "z"] on "zz"', ['a', 'z'], 'zz', false],
    ['[1, 2, 3] on 2', [1, 2, 3], 2, true],
    ['[1, 2, 3] on True', [1, 2, 3], true, true],
    ['["a", "b", "c"] on "d"', ['a', 'b', 'c'], 'd', false],
    ['[] on anything', [], 1, false],
    // range: Decimal(value) (InvalidOperation: not within), target taken from a dict
    ['range on "5"', { type: 'range', range: [0, 10] }, '5', true],
    ['range on " 7 "', { type: 'range', range: [0, 10] }, ' 7 ', true],
    ['range on "1e1"', { type: 'range', range: [0, 10] }, '1e1', true],
    ['range on "1_0"', { type: 'range', range: [0, 10] }, '1_0', true],
    ['range on "0x10"', { type: 'range', range: [0, 100] }, '0x10', false],
    ['range on ""', { type: 'range', range: [0, 100] }, '', false],
    ['range on "five"', { type: 'range', range: [0, 100] }, 'five', false],
    ['range [10, 1] on 5', { type: 'range', range: [10, 1] }, 5, false],
    ['range on stdout', { type: 'range', range: [1, 3], target: 'stdout' }, { status: 0, stdout: '2\n', stderr: '' }, true],
    // regex: re.compile(pattern).search(value)
    ['regex searches anywhere', { type: 'regex', pattern: 'ell' }, 'hello', true],
    ['^hello$ on "hello\\n"', { type: 'regex', pattern: '^hello$' }, 'hello\n', true],
    ['^hello$ on "hello\\n\\n"', { type: 'regex', pattern: '^hello$' }, 'hello\n\n', false],
    ['hello\\Z on "hello\\n"', { type: 'regex', pattern: 'hello\\Z' }, 'hello\n', false],
    ['hello\\Z on "hello"', { type: 'regex', pattern: 'hello\\Z' }, 'hello', true],
    ['\\Ahello on "say hello"', { type: 'regex', pattern: '\\Ahello' }, 'say hello', false],
    ['(?i)HELLO on "hello"', { type: 'regex', pattern: '(?i)HELLO' }, 'hello', true],
    ['(?m)^b$ on "a\\nb\\nc"', { type: 'regex', pattern: '(?m)^b$' }, 'a\nb\nc', true],
    ['[$] is a literal dollar', { type: 'regex', pattern: '^[$]5$' }, '$5', true],
    ['regex on stdout', { type: 'regex', pattern: '^ready$', target: 'stdout' }, { status: 0, stdout: 'ready\n', stderr: '' }, true],
    // jsonpath: jsonpath2 matches; count; expect ([expect], or the list itself)
    ['jsonpath expect', { type: 'jsonpath', path: '$.a', expect: 1 }, { a: 1 }, true],
    ['jsonpath expect True == 1', { type: 'jsonpath', path: '$.a', expect: 1 }, { a: true }, true],
    ['jsonpath expect a list', { type: 'jsonpath', path: '$.a[*]', expect: [1, 2] }, { a: [1, 2] }, true],
    ['jsonpath count', { type: 'jsonpath', path: '$.items[*]', count: 3 }, items, true],
    ['jsonpath .. in depth-first order', { type: 'jsonpath', path: '$..name', expect: ['a', 'b', 'c', 'd'] }, items, true],
    ['jsonpath filter on the elements', { type: 'jsonpath', path: '$.items[*][?(@.ok = true)].name', expect: ['a', 'c'] }, items, true],
    ['jsonpath filter on the list itself', { type: 'jsonpath', path: '$.items[?(@.ok = true)]' }, items, false],
    [
      'jsonpath filter, or binds tighter than and',
      { type: 'jsonpath', path: '$.items[*][?(@.ok = false or @.name = "c" and @.nested)].name', expect: 'c' },
      items,
      true,
    ],
    ['jsonpath filter with not', { type: 'jsonpath', path: '$.items[*][?(not @.nested)]', count: 2 }, items, true],
    [
      'jsonpath on a JSON string',
      { type: 'jsonpath', path: '$.ok', expect: true, target: 'body' },
      { status: 200, body: '{"ok": true}' },
      true,
    ],
    ['jsonpath without a match', { type: 'jsonpath', path: '$.missing' }, { a: 1 }, false],
  ])('%s', (_name, written, value, chaostoolkit) => {
    expect(withinTolerance(tolerance(written), value)).toBe(chaostoolkit);
  });
});

describe("the http provider: chaoslib's run_http_activity", () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const send = (status: number, type: string, body: string) => res.writeHead(status, { 'content-type': type }).end(body);
      if (req.url === '/charset') send(200, 'application/json; charset=utf-8', '{"ok": true}');
      else if (req.url === '/json') send(200, 'application/json', '{"ok": true}');
      else send(500, 'text/plain', 'broken');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const provider = (path: string, extra: Partial<HttpProvider> = {}): HttpProvider => ({
    type: 'http',
    url: `${url}${path}`,
    method: 'GET',
    headers: {},
    verifyTls: true,
    ...extra,
  });
  const signal = new AbortController().signal;

  it('parses the body only when Content-Type is exactly application/json ("; charset=utf-8" stays text)', async () => {
    expect((await runHttp(provider('/json'), signal)).body).toEqual({ ok: true });
    expect((await runHttp(provider('/charset'), signal)).body).toBe('{"ok": true}');
  });

  it('returns a 500 as a result, with expected_status set too: chaostoolkit has no such failure', async () => {
    expect(await runHttp(provider('/broken', { expectedStatus: 200 }), signal)).toMatchObject({ status: 500, body: 'broken' });
  });

  it('tries a refused connection again max_retries times, then fails the activity', async () => {
    const spy = jest.spyOn(httpRequest, 'sendHttpRequest');
    try {
      spy.mockRejectedValueOnce(new httpRequest.HttpRequestError('ECONNREFUSED 127.0.0.1:1', 1, 'ECONNREFUSED'));
      spy.mockRejectedValueOnce(new httpRequest.HttpRequestError('ECONNREFUSED 127.0.0.1:1', 1, 'ECONNREFUSED'));
      expect(await runHttp(provider('/json', { maxRetries: 2 }), signal)).toMatchObject({ status: 200 });
      expect(spy).toHaveBeenCalledTimes(3);
      spy.mockClear();
      await expect(runHttp(provider('/json', { url: 'http://127.0.0.1:1/', maxRetries: 1 }), signal)).rejects.toThrow(
        /failed: ECONNREFUSED .*\(after 2 attempts\)$/,
      );
      expect(spy).toHaveBeenCalledTimes(2);
      spy.mockClear();
      await expect(runHttp(provider('/json', { url: 'http://127.0.0.1:1/' }), signal)).rejects.toThrow(/failed: ECONNREFUSED/);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('judges a hypothesis on a 500 with tolerance 500 as met, whatever expected_status says', async () => {
    const doc: JsonObject = {
      title: 't',
      description: 'd',
      'steady-state-hypothesis': {
        title: 'broken as expected',
        probes: [{ type: 'probe', name: 'p', tolerance: 500, provider: { type: 'http', url: `${url}/broken`, expected_status: 200 } }],
      },
      method: [],
    };
    const { journal } = await runDocument(doc, url);
    expect(journal.steady_states.before?.steady_state_met).toBe(true);
  });
});

describe('the two documented differences (chaos/README.md, "Differences from chaostoolkit")', () => {
  it('an undefined ${name} is a load error (chaoslib substitute leaves it in place)', () => {
    const doc = withValue(['method', 0], httpProbe('h', { provider: { type: 'http', url: 'http://127.0.0.1:1/${nope}' } }));
    expect(() => load(doc)).toThrow(
      /^exp\.yaml: method\[0\]\.provider\.url: refers to \$\{nope\}, which the configuration does not define/,
    );
  });

  it('a process tolerance probe that exits non-zero is not within tolerance (chaoslib: any returned output is truthy, so within)', async () => {
    const doc: JsonObject = {
      title: 't',
      description: 'd',
      'steady-state-hypothesis': {
        title: 'judged by a process',
        probes: [
          {
            type: 'probe',
            name: 'value',
            provider: { type: 'process', path: 'echo', arguments: ['1'] },
            tolerance: { type: 'probe', name: 'judge', provider: { type: 'process', path: 'false' } },
          },
        ],
      },
      method: [],
    };
    const { journal } = await runDocument(doc, 'http://127.0.0.1:1');
    const chaostoolkitWouldSay = true;
    expect(journal.steady_states.before?.steady_state_met).toBe(!chaostoolkitWouldSay);
  });
});
