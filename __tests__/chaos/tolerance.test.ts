import type { JsonValue } from '../../contract/json';
import { JsonPathSyntaxError, parseJsonPath, queryJsonPath } from '../../chaos/model/jsonpath';
import { ShellWordsError, splitShellWords } from '../../chaos/model/shell-words';
import { withinTolerance, type PureTolerance } from '../../chaos/engine/tolerance';

const process0 = { status: 0, stdout: 'ready\n', stderr: '' };
const process2 = { status: 2, stdout: '', stderr: 'boom' };
const http200 = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: {
    healthy: true,
    services: [
      { name: 'api', running: 1 },
      { name: 'proxy', running: 0 },
    ],
  },
};
const http503 = { status: 503, headers: {}, body: 'unavailable' };

const parse = (path: string) => parseJsonPath(path);

describe('tolerance: chaostoolkit 1.x semantics', () => {
  it.each<[string, PureTolerance, JsonValue, boolean]>([
    ['bool equals', { kind: 'exact', value: true }, true, true],
    ['bool differs', { kind: 'exact', value: true }, false, false],
    ['bool is not compared with a result', { kind: 'exact', value: true }, http200, false],
    ['number equals', { kind: 'exact', value: 3 }, 3, true],
    ['number against a process status', { kind: 'exact', value: 0 }, process0, true],
    ['number against a failing process', { kind: 'exact', value: 0 }, process2, false],
    ['number against an HTTP status', { kind: 'exact', value: 200 }, http200, true],
    ['number against another HTTP status', { kind: 'exact', value: 200 }, http503, false],
    ['string equals', { kind: 'exact', value: 'ok' }, 'ok', true],
    ['string is not compared with a result', { kind: 'exact', value: 'ok' }, http200, false],
    ['[lo, hi] on a number: within', { kind: 'bounds', lo: 2, hi: 3 }, 2.5, true],
    ['[lo, hi] on a number: outside', { kind: 'bounds', lo: 2, hi: 3 }, 4, false],
    ['[lo, hi] on a result: status membership, not a range', { kind: 'bounds', lo: 200, hi: 204 }, { status: 202 }, false],
    ['[lo, hi] on a result: member', { kind: 'bounds', lo: 200, hi: 204 }, { status: 204 }, true],
    ['list membership', { kind: 'one-of', values: ['a', 'b', 'c'] }, 'b', true],
    ['list membership misses', { kind: 'one-of', values: ['a', 'b', 'c'] }, 'd', false],
    ['list membership of a status', { kind: 'one-of', values: [200, 201, 204] }, http200, true],
    ['range inclusive', { kind: 'range', lo: 1, hi: 5 }, 5, true],
    ['range on a numeric string', { kind: 'range', lo: 1, hi: 5 }, '4', true],
    ['range on a non-number', { kind: 'range', lo: 1, hi: 5 }, 'x', false],
    ['range with target', { kind: 'range', lo: 200, hi: 299, target: 'status' }, http200, true],
    ['regex on a string', { kind: 'regex', pattern: '^rea' }, 'ready', true],
    ['regex with target stdout', { kind: 'regex', pattern: 'ready', target: 'stdout' }, process0, true],
    ['regex with Python named group', { kind: 'regex', pattern: '(?P<word>rea)dy', target: 'stdout' }, process0, true],
    ['regex on an object without target', { kind: 'regex', pattern: '.' }, process0, false],
    ['jsonpath exists', { kind: 'jsonpath', path: '$.body.healthy', steps: parse('$.body.healthy') }, http200, true],
    ['jsonpath missing', { kind: 'jsonpath', path: '$.body.nope', steps: parse('$.body.nope') }, http200, false],
    [
      'jsonpath expect scalar',
      { kind: 'jsonpath', path: '$.healthy', steps: parse('$.healthy'), expect: true, target: 'body' },
      http200,
      true,
    ],
    [
      'jsonpath expect list',
      { kind: 'jsonpath', path: '$.services[*].running', steps: parse('$.services[*].running'), expect: [1, 0], target: 'body' },
      http200,
      true,
    ],
    [
      'jsonpath expect differs',
      { kind: 'jsonpath', path: '$.services[*].running', steps: parse('$.services[*].running'), expect: [1, 1], target: 'body' },
      http200,
      false,
    ],
    ['jsonpath count', { kind: 'jsonpath', path: '$.body.services[*]', steps: parse('$.body.services[*]'), count: 2 }, http200, true],
    ['jsonpath on a JSON string', { kind: 'jsonpath', path: '$.a[0]', steps: parse('$.a[0]'), expect: 7 }, '{"a":[7]}', true],
    ['jsonpath expect null', { kind: 'jsonpath', path: '$.a', steps: parse('$.a'), expect: null }, { a: null }, true],
  ])('%s', (_name, tolerance, value, expected) => {
    expect(withinTolerance(tolerance, value)).toBe(expected);
  });
});

describe('JSONPath subset', () => {
  const doc: JsonValue = { a: { b: [10, 20, 30] }, 'odd key': 1, list: [{ x: 1 }, { x: 2 }, { y: 3 }] };
  it.each<[string, JsonValue[]]>([
    ['$', [doc]],
    ['$.a.b[0]', [10]],
    ['$.a.b[-1]', [30]],
    ['$.a.b[*]', [10, 20, 30]],
    ['$["odd key"]', [1]],
    ['$..x', [1, 2]],
    ['$.list[*][?(@.x = 2)]', [{ x: 2 }]],
    ['$.list[*][?(@.x >= 1 and not @.y)].x', [1, 2]],
    ['$.list[?(@.x)]', []],
    ['$.a.b[0:2]', [10, 20]],
    ['$.a.b[::-1]', [30, 20, 10]],
    ['$.a.b[0, -1]', [10, 30]],
    ['$.list[*].x', [1, 2]],
    ['$.a.*', [[10, 20, 30]]],
    ['$.missing.b', []],
    ['$.a.b[9]', []],
  ])('%s', (path, values) => {
    expect(queryJsonPath(parseJsonPath(path), doc)).toEqual(values);
  });

  it.each(['a.b', "$['a']", '$[?(@.x == 1)]', '$.a-b', '$.', '$[1.5]', '$[::0]'])('refuses %s', (path) => {
    expect(() => parseJsonPath(path)).toThrow(JsonPathSyntaxError);
  });
});

describe('argument strings are split like a shell, without one', () => {
  it.each<[string, string[]]>([
    ['a b  c', ['a', 'b', 'c']],
    [`'a b' "c d"`, ['a b', 'c d']],
    [`"say \\"hi\\"" it\\'s`, ['say "hi"', "it's"]],
    [`--url=http://x/?a=1 ''`, ['--url=http://x/?a=1', '']],
    ['"$HOME" ${X}', ['$HOME', '${X}']],
    ['\'a|b\' "c;d"', ['a|b', 'c;d']],
  ])('%s', (line, words) => {
    expect(splitShellWords(line)).toEqual(words);
  });

  it.each(['a | b', 'a; b', 'a && b', 'a > f', 'echo $(id)', 'echo `id`', "'open", '"open', 'trailing\\'])('refuses %s', (line) => {
    expect(() => splitShellWords(line)).toThrow(ShellWordsError);
  });
});
