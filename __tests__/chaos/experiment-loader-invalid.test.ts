import { InvalidExperimentError } from '../../chaos/errors';
import { base, type Doc, httpProbe, load, withValue } from './helpers/experiment-doc';

describe('loader: invalid experiments name the file, the path in it and what is expected', () => {
  it.each<[string, Doc | string, RegExp]>([
    ['YAML syntax', 'title: [unclosed\nmethod: x', /^exp\.yaml: line \d+, column \d+: is not valid YAML\/JSON/],
    ['not a mapping', '- a\n- b\n', /^exp\.yaml: expected an experiment/],
    ['a non-JSON number', 'title: x\nmethod: .inf\n', /^exp\.yaml: method: expected plain JSON data, got Infinity/],
    ['duplicate keys', 'title: a\ntitle: b\nmethod: []\n', /line 2, column 1: is not valid YAML\/JSON: Map keys must be unique/],
    ['missing title', withValue(['title'], undefined), /^exp\.yaml: title: is required \(expected a string\)$/],
    ['unknown top-level key', { ...base(), titel: 'x' }, /^exp\.yaml: titel: is not a known key here/],
    ['no method', withValue(['method'], undefined), /^exp\.yaml: method: is required/],
    [
      'bad activity type',
      withValue(['method', 0, 'type'], 'actoin'),
      /^exp\.yaml: method\[0\]\.type: expected one of "action", "probe", got "actoin"$/,
    ],
    [
      'python provider',
      withValue(['method', 0, 'provider'], { type: 'python', module: 'm', func: 'f' }),
      /^exp\.yaml: method\[0\]\.provider\.type: python providers are not supported/,
    ],
    [
      'unknown provider type',
      withValue(['method', 0, 'provider', 'type'], 'ssh'),
      /method\[0\]\.provider\.type: expected one of "process", "http", "fault", "python", got "ssh"/,
    ],
    [
      'relative http url',
      withValue(['method', 0], httpProbe('p', { provider: { type: 'http', url: '/healthz' } })),
      /method\[0\]\.provider\.url: expected an absolute http\(s\) URL/,
    ],
    [
      'unknown http method',
      withValue(['method', 0], httpProbe('p', { provider: { type: 'http', url: 'http://x', method: 'FETCH' } })),
      /method\[0\]\.provider\.method: expected one of "GET"/,
    ],
    [
      'unknown fault',
      withValue(['method', 0, 'provider'], { type: 'fault', id: 'ecs:stop-tsk' }),
      /^exp\.yaml: method\[0\]\.provider\.id: unknown fault "ecs:stop-tsk" \(known: http:get/,
    ],
    [
      'bad fault argument',
      withValue(['method', 0, 'provider'], { type: 'fault', id: 'test:touch-marker', arguments: { service: 'db', marker: 'm' } }),
      /^exp\.yaml: method\[0\]\.provider\.arguments\.service: expected one of "frontend", "api", "proxy", got "db"$/,
    ],
    [
      'misspelt fault argument',
      withValue(['method', 0, 'provider'], { type: 'fault', id: 'http:get', arguments: { pth: '/' } }),
      /method\[0\]\.provider\.arguments\.pth: is not a known key/,
    ],
    [
      'wrong type of fault argument',
      withValue(['method', 0, 'provider'], { type: 'fault', id: 'http:get', arguments: { timeoutMs: 'soon' } }),
      /method\[0\]\.provider\.arguments\.timeoutMs: expected a number, got "soon"/,
    ],
    [
      'hypothesis probe without tolerance',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], undefined),
      /steady-state-hypothesis\.probes\[0\]\.tolerance: is required \(expected a tolerance/,
    ],
    [
      'unknown tolerance type',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], { type: 'between' }),
      /probes\[0\]\.tolerance\.type: expected one of "range", "regex", "jsonpath", "probe", got "between"/,
    ],
    [
      'tolerance of the wrong shape',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], null),
      /probes\[0\]\.tolerance: expected a tolerance: true\/false, an integer, a string, a list, or \{type: range\|regex\|jsonpath\|probe\} .*, got null/,
    ],
    [
      'invalid regex',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], { type: 'regex', pattern: '(' }),
      /tolerance\.pattern: expected a valid regular expression/,
    ],
    [
      'unsupported JSONPath',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], { type: 'jsonpath', path: "$['a']" }),
      /tolerance\.path: expected a JSONPath .*: unexpected "'a'\]" \(names in brackets are double-quoted/,
    ],
    [
      'range bound not a number',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], { type: 'range', range: [1, 'x'] }),
      /tolerance\.range\[1\]: expected a number, got "x"/,
    ],
    [
      'range of one number',
      withValue(['steady-state-hypothesis', 'probes', 0, 'tolerance'], { type: 'range', range: [5] }),
      /tolerance\.range: /,
    ],
    ['tolerance on an action', withValue(['method', 0, 'tolerance'], 0), /method\[0\]\.tolerance: is not a known key/],
    [
      'shell syntax in process arguments',
      withValue(['method', 0, 'provider', 'arguments'], 'a | b'),
      /method\[0\]\.provider\.arguments: the argument string uses shell syntax "\|"/,
    ],
    ['unterminated quote', withValue(['method', 0, 'provider', 'arguments'], "'a"), /the argument string has an unterminated single quote/],
    ['negative pause', withValue(['method', 0, 'pauses'], { before: -1 }), /method\[0\]\.pauses\.before: expected at least 0, got -1/],
    [
      'availability probe unknown',
      withValue(['recovery'], { within: 10, availability: { min: 90, probe: 'nope' } }),
      /recovery\.availability\.probe: expected the name of an HTTP probe .*\("health"\), got "nope"/,
    ],
    [
      'availability probe unknown, in a list',
      withValue(['recovery'], { within: 10, availability: [{ probe: 'health' }, { min: 90, probe: 'nope' }] }),
      /recovery\.availability\[1\]\.probe: expected the name of an HTTP probe .*\("health"\), got "nope"/,
    ],
    [
      'availability probe sampled twice',
      withValue(['recovery'], { within: 10, availability: [{ probe: 'health' }, { min: 90, probe: 'health' }] }),
      /recovery\.availability\[1\]\.probe: probe "health" is sampled twice/,
    ],
    ['availability as an empty list', withValue(['recovery'], { within: 10, availability: [] }), /recovery\.availability/],
    [
      'availability above 100',
      withValue(['recovery'], { within: 10, availability: { min: 101, probe: 'health' } }),
      /recovery\.availability\.min: expected at most 100, got 101/,
    ],
    [
      'recovery with nothing to poll',
      withValue(['recovery'], { within: 10 }, withValue(['steady-state-hypothesis'], undefined)),
      /^exp\.yaml: recovery: needs a steady-state hypothesis/,
    ],
    [
      'bad rollback strategy',
      withValue(['rollback-strategy'], 'sometimes'),
      /rollback-strategy: expected one of "default", "always", "deviated", "never", got "sometimes"/,
    ],
    [
      'contradicting strategies',
      { ...base(), 'rollback-strategy': 'never', runtime: { rollbacks: { strategy: 'always' } } },
      /runtime\.rollbacks\.strategy: contradicts rollback-strategy "never"/,
    ],
    [
      'env reference without value or default',
      withValue(['configuration'], { base: { type: 'env', key: 'BASE_URL' } }),
      /^exp\.yaml: configuration\.base: environment variable BASE_URL is not set and the reference has no default$/,
    ],
    [
      'undefined substitution',
      withValue(['method', 0], httpProbe('p', { provider: { type: 'http', url: '${nope}' } })),
      /method\[0\]\.provider\.url: refers to \$\{nope\}, which the configuration does not define/,
    ],
    [
      'chaostoolkit controls',
      { ...base(), controls: [{ name: 'c' }] },
      /^exp\.yaml: controls: controls are chaostoolkit Python extensions/,
    ],
    ['ref to nothing', withValue(['method', 1], { ref: 'ghost' }), /^exp\.yaml: method\[1\]\.ref: no activity named "ghost"/],
    [
      'secrets from vault',
      withValue(['secrets'], { s: { t: { type: 'vault', path: 'x' } } }),
      /secrets\.s\.t\.type: secrets from vault are not supported: use an environment reference/,
    ],
  ])('%s', (_name, doc, message) => {
    const attempt = () => load(doc);
    expect(attempt).toThrow(InvalidExperimentError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect(String(error instanceof Error ? error.message : error)).not.toMatch(/\n/);
    }
  });
});
