/**
 * Configuration, secrets and `${name}` substitution judged as chaostoolkit-lib 1.x judges them,
 * through the CLI's `validate`, `run --dry-run` and `run` (the real entry points). Each case names
 * the chaostoolkit source it follows (chaostoolkit-lib, chaoslib/):
 * - configuration.py `load_configuration` (env references, `convert_to_type` of the value or default,
 *   extra vars) and `load_dynamic_configuration` (configuration computed by a probe);
 * - secret.py `load_secrets` (recursive: nested mappings resolved, `{type: env, key}` without default);
 * - __init__.py `substitute` (`ChainMap(configuration, *secrets.values())`), `TypedTemplate`
 *   (a whole `${x}` keeps the type, else `string.Template`, which writes `str(value)`),
 *   `convert_to_type` (str, int, float, bytes);
 * - activity.py / provider/process.py, http.py: substitution sees every secret scope (an activity's
 *   `secrets: [scope]` list only selects what a Python function receives);
 * - hypothesis.py `ensure_hypothesis_tolerance_is_valid` (`isinstance(tolerance, (bool, int, list, str, dict))`).
 */
import { parseExperimentText } from '../../chaos/model/load-experiment';
import { TEST_CATALOG } from './helpers/test-faults';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli-harness';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-ctk-config-'));
});

const ENV = { PATH: process.env.PATH };

async function write(name: string, text: string): Promise<string> {
  await writeFile(join(dir, name), text);
  return name;
}

/** An experiment whose method is one `echo` process probe with these arguments (YAML flow list). */
const echoing = (head: string, args: string): string =>
  `title: t\ndescription: d\n${head}method:\n  - type: probe\n    name: show\n    provider: {type: process, path: echo, arguments: ${args}}\n`;

/** What `run --dry-run` says the echo probe runs (`echo …`), or the one-line error. */
async function dryRun(name: string, text: string, env: Record<string, string | undefined> = ENV, extra: string[] = []) {
  const file = await write(name, text);
  const result = await runCli(['run', file, '--dry-run', ...extra], dir, env);
  const line = /run (echo .*) \(no shell\)/.exec(result.stdout)?.[1] ?? null;
  return { code: result.code, command: line, stderr: result.stderr.trim() };
}

async function validate(name: string, text: string, env: Record<string, string | undefined> = ENV, extra: string[] = []) {
  const file = await write(name, text);
  const result = await runCli(['validate', file, ...extra], dir, env);
  return { code: result.code, stderr: result.stderr.trim() };
}

describe('substitution looks in the configuration first, then in each secret scope (__init__.py substitute: ChainMap)', () => {
  const head =
    'configuration:\n  name: from-config\nsecrets:\n  first:\n    name: from-secret\n    token: first-token\n  second:\n    token: second-token\n    only: second-only\n';

  it('a name in both the configuration and a secret scope is the configuration value', async () => {
    expect(await dryRun('precedence.yaml', echoing(head, '["${name}"]'))).toMatchObject({ code: 0, command: 'echo from-config' });
  });

  it('a name in two scopes is the first scope’s (ChainMap order); every scope is seen, whatever the provider’s secrets list says', async () => {
    const provider = echoing(head, '["${token}", "${only}"]').replace('arguments:', 'secrets: [second], arguments:');
    expect(await dryRun('scopes.yaml', provider)).toMatchObject({ code: 0, command: 'echo first-token second-only' });
  });
});

describe('env configuration is converted by env_var_type, the default too (configuration.py: convert_to_type(type, env.get(key, default)))', () => {
  const waitFor = (ref: string) => `configuration:\n  wait: ${ref}\n`;
  const pauseAndEcho = (ref: string) =>
    `title: t\ndescription: d\n${waitFor(ref)}method:\n  - type: probe\n    name: show\n    provider: {type: process, path: echo, arguments: ["w=\${wait}"]}\n    pauses: {after: "\${wait}"}\n`;

  it.each<[string, string, Record<string, string>, string]>([
    ['an int default given as text is an int', '{type: env, key: CHAOS_UNSET_W, default: "0", env_var_type: int}', {}, 'echo w=0'],
    [
      'a float default given as text is a float (str: 0.0)',
      '{type: env, key: CHAOS_UNSET_W, default: "0", env_var_type: float}',
      {},
      'echo w=0.0',
    ],
    ['a float default given as a number is a float', '{type: env, key: CHAOS_UNSET_W, default: 0, env_var_type: float}', {}, 'echo w=0.0'],
    ['the variable read as Python int() reads it (" 0_0 ")', '{type: env, key: W, env_var_type: int}', { W: ' 0_0 ' }, 'echo w=0'],
    ['the variable read as Python float() reads it ("0e0")', '{type: env, key: W, env_var_type: float}', { W: '0e0' }, 'echo w=0.0'],
    ['no env_var_type: a default is kept as it is (a number)', '{type: env, key: CHAOS_UNSET_W, default: 0}', {}, 'echo w=0'],
  ])('%s', async (_name, ref, env, command) => {
    // A pause must be a number: the converted default passes, the text "0" would not.
    expect(await dryRun('env-type.yaml', pauseAndEcho(ref), { ...ENV, ...env })).toMatchObject({ code: 0, command });
  });

  it('a default that int() cannot read is a load error naming the default', async () => {
    const result = await validate(
      'bad-default.yaml',
      echoing(waitFor('{type: env, key: CHAOS_UNSET_W, default: soon, env_var_type: int}'), '[]'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/configuration\.wait\.default: expected an integer \(env_var_type int\) in the default, got "soon"$/);
  });

  it('a null default is no default: the unset variable is an error, as chaostoolkit raises', async () => {
    const result = await validate('null-default.yaml', echoing(waitFor('{type: env, key: CHAOS_UNSET_W, default: null}'), '[]'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/configuration\.wait: environment variable CHAOS_UNSET_W is not set and the reference has no default$/);
  });

  it('env_var_type bytes (chaostoolkit: val.encode()) is refused as not supported, saying to use str', async () => {
    const result = await validate('bytes.yaml', echoing(waitFor('{type: env, key: W, env_var_type: bytes}'), '[]'), { ...ENV, W: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/configuration\.wait: env_var_type bytes is not supported .*: use str$/);
  });
});

describe('a reference inside a longer string is written as Python’s str() writes the value (string.Template)', () => {
  it.each<[string, string, string]>([
    ['booleans', 'v: true', 'echo x=True'],
    ['null', 'v: null', 'echo x=None'],
    ['a YAML float with a zero fraction', 'v: 200.0', 'echo x=200.0'],
    ['a large float', 'v: 1.0e+20', 'echo x=1e+20'],
    ['a small float', 'v: 0.00001', 'echo x=1e-05'],
    ['an integer', 'v: 200', 'echo x=200'],
    ['a list, as repr()', 'v: [a, 1, false, null, 2.5]', `echo "x=['a', 1, False, None, 2.5]"`],
    ['a mapping, as repr()', "v: {k: it's, n: 1.0}", `echo "x={'k': \\"it's\\", 'n': 1.0}"`],
  ])('%s', async (_name, entry, command) => {
    expect(await dryRun('render.yaml', echoing(`configuration:\n  ${entry}\n`, '["x=${v}"]'))).toMatchObject({ code: 0, command });
  });

  it('a JSON experiment: 1e20 and 2.0 are floats, as json.loads reads them', async () => {
    const doc = `{"title": "t", "description": "d", "configuration": {"big": 1e20, "two": 2.0},
      "method": [{"type": "probe", "name": "show", "provider": {"type": "process", "path": "echo", "arguments": ["\${big}/\${two}"]}}]}`;
    expect(await dryRun('render.json', doc)).toMatchObject({ code: 0, command: 'echo 1e+20/2.0' });
  });

  it('--var x:float=3 is a float (convert_to_type: float("3"))', async () => {
    const result = await dryRun('render-var.yaml', echoing('configuration:\n  v: 1\n', '["x=${v}"]'), ENV, ['--var', 'v:float=3']);
    expect(result).toMatchObject({ code: 0, command: 'echo x=3.0' });
  });

  it('a var file writing 3.0 gives a float (merge_vars: yaml.safe_load / json.loads)', async () => {
    await write('floats.yaml', 'configuration:\n  v: 3.0\n  w: [1.5, 2.0]\n');
    const experiment = echoing('configuration:\n  v: 1\n  w: 1\n', '["x=${v}", "y=${w}"]');
    const result = await dryRun('render-var-file.yaml', experiment, ENV, ['--var-file', 'floats.yaml']);
    expect(result).toMatchObject({ code: 0, command: 'echo x=3.0 "y=[1.5, 2.0]"' });
  });

  it('a whole-string reference keeps the value’s type (TypedTemplate): a number pause', async () => {
    const doc =
      'title: t\ndescription: d\nconfiguration:\n  wait: 0\nmethod:\n  - type: probe\n    name: show\n' +
      '    provider: {type: process, path: echo}\n    pauses: {before: "${wait}"}\n';
    expect(await validate('typed.yaml', doc)).toEqual({ code: 0, stderr: '' });
  });
});

describe('the reference syntax is string.Template’s (__init__.py substitute_string)', () => {
  const head = 'configuration:\n  name: v\n  flag: true\n';
  it.each<[string, string, string]>([
    ['$$ writes $', '["cost $$5", "$${name}"]', 'echo "cost $5" ${name}'],
    ['a bare $name is replaced when defined', '["a-$name-b", "$name"]', 'echo a-v-b v'],
    ['a bare $name that is not defined is left as written (safe_substitute)', '["$HOME/x", "$5", "^ok$"]', 'echo $HOME/x $5 ^ok$'],
  ])('%s', async (_name, args, command) => {
    expect(await dryRun('template.yaml', echoing(head, args))).toMatchObject({ code: 0, command });
  });

  it('a whole-string bare $name keeps the value’s type too', async () => {
    const doc =
      'title: t\ndescription: d\nconfiguration:\n  wait: 1\nmethod:\n  - type: probe\n    name: show\n    provider: {type: process, path: echo}\n    pauses: {after: $wait}\n';
    expect(await validate('typed-bare.yaml', doc)).toEqual({ code: 0, stderr: '' });
  });

  it.each([['${a-b}'], ['${ name }']])(
    '%s, not a Python identifier (chaostoolkit leaves it in place), is a load error as an undefined name is',
    async (ref) => {
      const result = await validate('not-a-name.yaml', echoing(head, `["${ref}"]`));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /method\[0\]\.provider\.arguments\[0\]: refers to \$\{.*\}, which is not a name chaostoolkit substitutes .*write \$\$\{ for a literal/,
      );
    },
  );
});

describe('nested secrets (secret.py load_secrets, recursive)', () => {
  const nested =
    'secrets:\n  aws:\n    creds:\n      id: {type: env, key: CHAOS_TEST_KEY_ID}\n      region: eu-central-9\n      deep: {inner: {type: env, key: CHAOS_TEST_INNER}}\n';
  const env = { ...ENV, CHAOS_TEST_KEY_ID: 'AKIAEXAMPLE123', CHAOS_TEST_INNER: 'inner-s3cret' };

  it('a mapping secret has its env references resolved, and is a mapping where it is referred to', async () => {
    const result = await dryRun('nested.yaml', echoing(nested, '["c=${creds}"]'), env);
    expect(result.code).toBe(0);
    expect(result.command).toBe(`echo "c={'id': 'AKIAEXAMPLE123', 'region': 'eu-central-9', 'deep': {'inner': 'inner-s3cret'}}"`);
  });

  it('every nested string value is redacted from what the journal records of the run', async () => {
    const file = await write('nested-run.yaml', echoing(nested, '["c=${creds}"]'));
    const result = await runCli(['run', file, '--journal', 'nested.json', '--quiet', '--yes'], dir, env);
    expect(result.code).toBe(0);
    const text = await readFile(join(dir, 'nested.json'), 'utf8');
    // Values read from the environment are nowhere in the file.
    for (const secret of ['AKIAEXAMPLE123', 'inner-s3cret']) expect(text).not.toContain(secret);
    // The literal nested value is redacted from the run's records (the copy of the experiment keeps the file's text).
    const journal = JSON.parse(text) as { run: unknown[] };
    const run = JSON.stringify(journal.run);
    expect(run).not.toContain('eu-central-9');
    expect(run).toContain("'id': '***', 'region': '***', 'deep': {'inner': '***'}");
  });

  it('an unset variable in a nested secret is a load error naming its place', async () => {
    const result = await validate('nested-unset.yaml', echoing(nested, '[]'), { ...ENV, CHAOS_TEST_KEY_ID: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/secrets\.aws\.creds\.deep\.inner: environment variable CHAOS_TEST_INNER is not set/);
  });

  it('a secret env reference with a default is refused (load_secret_from_env reads no default): not supported', async () => {
    const result = await validate(
      'secret-default.yaml',
      echoing('secrets:\n  s:\n    t: {type: env, key: CHAOS_UNSET_T, default: x}\n', '[]'),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/secrets\.s\.t\.default: default is not supported in a secret/);
  });

  it('a nested vault secret is refused as not supported', async () => {
    const result = await validate('nested-vault.yaml', echoing('secrets:\n  s:\n    m:\n      v: {type: vault, path: a/b}\n', '[]'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/secrets\.s\.m\.v\.type: secrets from vault are not supported: use an environment reference/);
  });
});

describe('configuration computed by a probe (configuration.py load_dynamic_configuration): refused', () => {
  const dynamic =
    'configuration:\n  tag:\n    type: probe\n    name: read-tag\n    provider: {type: process, path: echo, arguments: [v1]}\n';

  it('validate refuses it as not supported, saying to use --var or an env reference', async () => {
    const result = await validate('dynamic.yaml', echoing(dynamic, '["${tag}"]'));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^chaos: dynamic\.yaml: configuration\.tag: configuration computed by a probe is not supported; give the value with --var tag=<value> .*\{type: env, key: …\}$/,
    );
  });

  it('given by --var, the probe is not needed (extra vars win, as in load_configuration)', async () => {
    expect(await dryRun('dynamic-var.yaml', echoing(dynamic, '["${tag}"]'), ENV, ['--var', 'tag=v2'])).toMatchObject({
      code: 0,
      command: 'echo v2',
    });
  });
});

describe('a float tolerance is refused, 200.0 as 0.5 (ensure_hypothesis_tolerance_is_valid: not an int)', () => {
  const withTolerance = (tolerance: string) =>
    `title: t\ndescription: d\nsteady-state-hypothesis:\n  title: h\n  probes:\n    - type: probe\n      name: p\n      tolerance: ${tolerance}\n      provider: {type: http, url: "http://127.0.0.1:1/"}\nmethod: []\n`;

  it.each<[string, string, number]>([
    ['200 (an int)', '200', 0],
    ['200.0 in YAML', '200.0', 2],
    ['0.5', '0.5', 2],
    ['[200.0, 204] (a list)', '[200.0, 204]', 0],
    ['"200.0" (a string)', '"200.0"', 0],
  ])('%s', async (_name, tolerance, code) => {
    expect((await validate('tolerance.yaml', withTolerance(tolerance))).code).toBe(code);
  });

  it('says what to write instead', async () => {
    expect((await validate('tolerance.yaml', withTolerance('200.0'))).stderr).toMatch(
      /steady-state-hypothesis\.probes\[0\]\.tolerance: expected an integer, got the float 200\.0 \(chaostoolkit refuses float tolerances\): write 200, or use \{type: range/,
    );
  });

  it('in a JSON experiment too', async () => {
    const doc = JSON.stringify({ title: 't', description: 'd', method: [] }).replace(
      '"method":[]',
      '"steady-state-hypothesis":{"title":"h","probes":[{"type":"probe","name":"p","tolerance":200.0,"provider":{"type":"http","url":"http://127.0.0.1:1/"}}]},"method":[]',
    );
    expect((await validate('tolerance.json', doc)).stderr).toMatch(/tolerance: expected an integer, got the float 200\.0/);
  });
});

describe('only the fields chaoslib substitutes are substituted (provider/http.py, provider/process.py, activity.py, hypothesis.py)', () => {
  const head = 'configuration:\n  name: v\n  wait: 0\n';

  it('a ${name} in the title, the description or a process path stays as written', async () => {
    const doc =
      'title: "run ${name}"\ndescription: "about $name"\n' +
      head +
      'method:\n  - type: probe\n    name: show\n    provider: {type: process, path: echo, arguments: ["${name}"]}\n';
    const result = await runCli(['run', await write('kept.yaml', doc), '--dry-run'], dir, ENV);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('run echo v (no shell)');
    expect(result.stdout).toContain('run ${name}');
  });

  it('a ${name} where chaostoolkit does not substitute and a number is expected is refused, saying where it is substituted', async () => {
    const doc =
      'title: t\ndescription: d\n' +
      head +
      'method:\n  - type: probe\n    name: show\n    provider: {type: process, path: echo, timeout: "${wait}"}\n';
    const result = await validate('timeout.yaml', doc);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /method\[0\]\.provider\.timeout: expected a number, got "\$\{wait\}" \(chaostoolkit substitutes \$\{…\} only in pauses/,
    );
  });

  it('an http url and headers, a regex pattern and a jsonpath path are substituted', async () => {
    const doc =
      'title: t\ndescription: d\n' +
      head +
      'steady-state-hypothesis:\n  title: h\n  probes:\n' +
      '    - {type: probe, name: a, tolerance: {type: regex, target: body, pattern: "^${name}$"}, provider: {type: http, url: "http://127.0.0.1:9/${name}", headers: {x-n: "${name}"}}}\n' +
      '    - {type: probe, name: b, tolerance: {type: jsonpath, target: body, path: "$.${name}", expect: 1}, provider: {type: http, url: "http://127.0.0.1:9/"}}\n' +
      'method: []\n';
    const experiment = parseExperimentText(doc, 'http.yaml', { catalog: TEST_CATALOG, env: {} });
    const [a, b] = experiment.hypothesis?.probes ?? [];
    expect(a?.provider).toMatchObject({ url: 'http://127.0.0.1:9/v', headers: { 'x-n': 'v' } });
    expect(a?.tolerance).toMatchObject({ pattern: '^v$' });
    expect(b?.tolerance).toMatchObject({ path: '$.v' });
  });
});
