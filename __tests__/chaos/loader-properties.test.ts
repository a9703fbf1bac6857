import fc from 'fast-check';
import { InvalidExperimentError } from '../../chaos/errors';
import { parseExperimentText } from '../../chaos/model/load-experiment';
import { TEST_CATALOG } from './helpers/test-faults';

const load = (text: string) => parseExperimentText(text, 'prop.yaml', { catalog: TEST_CATALOG, env: {} });

/** The loader may accept or refuse; it may only ever refuse with InvalidExperimentError, in one line. */
function loadsOrRefusesCleanly(text: string): void {
  try {
    load(text);
  } catch (error) {
    if (!(error instanceof InvalidExperimentError)) throw error;
    if (error.message.includes('\n')) throw new Error(`multi-line message: ${error.message}`);
  }
}

const KEYS = [
  'title',
  'description',
  'tags',
  'configuration',
  'secrets',
  'steady-state-hypothesis',
  'method',
  'rollbacks',
  'rollback-strategy',
  'recovery',
  'runtime',
  'controls',
  'version',
  'probes',
  'type',
  'name',
  'provider',
  'tolerance',
  'pauses',
  'background',
  'ref',
  'id',
  'arguments',
  'url',
  'path',
  'pattern',
  'range',
  'target',
  'expect',
  'count',
  'within',
  'availability',
  'min',
  'probe',
  'rate',
  'key',
  'default',
  'env_var_type',
];
const VALUES = [
  'probe',
  'action',
  'http',
  'process',
  'fault',
  'python',
  'env',
  'regex',
  'range',
  'jsonpath',
  'http:get',
  'test:touch-marker',
  'always',
  '${x}',
  '$.a[*]',
  'http://127.0.0.1:1/',
];

/** JSON built from the schema's own vocabulary, so random documents reach deep into validation. */
const vocabularyJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...VALUES),
    fc.integer({ min: -5, max: 300 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 5 }),
  ),
})).value;

const validBase = {
  title: 't',
  'steady-state-hypothesis': {
    title: 'h',
    probes: [{ type: 'probe', name: 'p', tolerance: 200, provider: { type: 'http', url: 'http://127.0.0.1:1/' } }],
  },
  method: [{ type: 'action', name: 'a', provider: { type: 'fault', id: 'test:touch-marker', arguments: { service: 'api', marker: 'm' } } }],
  recovery: { within: 5, availability: { min: 90, probe: 'p' } },
};

describe('loader properties: random input never escapes as anything but InvalidExperimentError', () => {
  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), loadsOrRefusesCleanly), { numRuns: 300 });
  });

  it('arbitrary JSON documents', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => loadsOrRefusesCleanly(JSON.stringify(doc))),
      { numRuns: 300 },
    );
  });

  it('documents made of the schema vocabulary', () => {
    fc.assert(
      fc.property(vocabularyJson, (doc) => loadsOrRefusesCleanly(JSON.stringify(doc))),
      { numRuns: 400 },
    );
  });

  it('a valid experiment with one part replaced at random', () => {
    const paths: (string | number)[][] = [
      ['title'],
      ['method', 0],
      ['method', 0, 'provider'],
      ['method', 0, 'provider', 'arguments'],
      ['steady-state-hypothesis', 'probes', 0, 'tolerance'],
      ['recovery'],
      ['recovery', 'availability'],
      ['steady-state-hypothesis', 'probes', 0, 'provider'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), vocabularyJson, (path, value) => {
        const doc = JSON.parse(JSON.stringify(validBase));
        let node = doc;
        path.slice(0, -1).forEach((k) => {
          node = node[k];
        });
        node[path[path.length - 1] ?? 'title'] = value;
        loadsOrRefusesCleanly(JSON.stringify(doc));
      }),
      { numRuns: 400 },
    );
  });

  it('YAML-specific constructs (anchors, tags, odd scalars)', () => {
    const yamlBits = fc.constantFrom(
      '&a [1]',
      '*a',
      '!!binary aGk=',
      '.nan',
      '.inf',
      '~',
      '2001-12-14',
      '0x1F',
      '!custom x',
      '<<: {a: 1}',
      '? complex\n: key',
      '"\\u0000"',
      '[',
      '{a: 1, a: 2}',
    );
    fc.assert(
      fc.property(yamlBits, yamlBits, (a, b) => loadsOrRefusesCleanly(`title: ${a}\nmethod: ${b}\nx: ${a}\n`)),
      { numRuns: 200 },
    );
  });
});
