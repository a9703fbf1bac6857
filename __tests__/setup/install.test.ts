import { ensureSystemPackages, missingPackages, SetupError, type SetupEnvironment } from '../../setup/install';
import { packagesFor, SYSTEM_PACKAGES, type SystemPackage } from '../../setup/system-packages';

/** A machine where `absent` packages are missing until apt-get installs them (when `aptWorks`). */
function machine(options: { absent: readonly string[]; isRoot?: boolean; hasAptGet?: boolean; aptExit?: number }) {
  const absent = new Set(options.absent);
  const calls: string[][] = [];
  const logs: string[] = [];
  let guarded = 0;
  const env: SetupEnvironment = {
    isRoot: options.isRoot ?? true,
    hasAptGet: options.hasAptGet ?? true,
    installed: (p: SystemPackage) => !absent.has(p.name),
    async withoutServiceStarts(work) {
      guarded += 1;
      return work();
    },
    async run(command, args, onLine) {
      calls.push([command, ...args]);
      if (args[0] === 'install') {
        for (const name of args.slice(4)) {
          onLine(`Setting up ${name} (1.0) ...`);
          if (options.aptExit === undefined) absent.delete(name);
        }
      }
      if (options.aptExit !== undefined) onLine('E: Unable to locate package');
      return options.aptExit ?? 0;
    },
    log: (line) => logs.push(line),
  };
  return { env, calls, logs, guarded: () => guarded };
}

describe('the one list of system packages', () => {
  it('names every package once, each with a reason and what it is for', () => {
    const names = SYSTEM_PACKAGES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of SYSTEM_PACKAGES) {
      expect(p.why.length).toBeGreaterThan(10);
      expect(p.for.length).toBeGreaterThan(0);
      expect(p.commands.length + (p.files ?? []).length).toBeGreaterThan(0);
    }
  });

  it('npm start needs the rehearsal packages only; npm test needs them all', () => {
    expect(packagesFor('start').map((p) => p.name)).toEqual(['docker.io', 'debootstrap', 'openssh-server', 'openssh-client']);
    expect(packagesFor('test')).toHaveLength(SYSTEM_PACKAGES.length);
  });
});

describe('installing what is missing', () => {
  it('GIVEN everything installed THEN it does nothing', async () => {
    const m = machine({ absent: [] });
    await ensureSystemPackages('test', m.env);
    expect(m.calls).toEqual([]);
    expect(m.logs).toEqual([]);
  });

  it('GIVEN root with apt-get THEN it says what and why, updates, installs only the missing ones with services held back', async () => {
    const m = machine({ absent: ['openssh-server', 'debootstrap', 'nginx'] });
    await ensureSystemPackages('start', m.env);
    expect(m.calls).toEqual([
      ['apt-get', 'update', '-q'],
      ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'debootstrap', 'openssh-server'],
    ]);
    expect(m.guarded()).toBe(1);
    expect(m.logs[0]).toMatch(/^`npm start` \(the local rehearsal\) needs 2 system package\(s\)/);
    expect(m.logs).toContain('  openssh-server: ' + (SYSTEM_PACKAGES.find((p) => p.name === 'openssh-server')?.why ?? ''));
    expect(m.logs).toContain('  set up debootstrap');
  });

  it.each<[string, { isRoot?: boolean; hasAptGet?: boolean }]>([
    ['not root', { isRoot: false }],
    ['no apt-get', { hasAptGet: false }],
  ])('GIVEN %s THEN SetupError with the exact command, and nothing run', async (_name, where) => {
    const m = machine({ absent: ['chromium', 'lego'], ...where });
    const attempt = ensureSystemPackages('test', m.env);
    await expect(attempt).rejects.toThrow(SetupError);
    await expect(attempt).rejects.toThrow(
      /Install with \(as root\): apt-get update && apt-get install -y --no-install-recommends lego chromium$/,
    );
    expect(m.calls).toEqual([]);
  });

  it('GIVEN apt-get failing THEN SetupError carrying its last lines', async () => {
    const m = machine({ absent: ['lego'], aptExit: 100 });
    await expect(ensureSystemPackages('test', m.env)).rejects.toThrow(/apt-get update -q exited with 100:\nE: Unable to locate package/);
  });

  it('judges each package by the lookup it is given (files for a package without commands)', () => {
    const missing = missingPackages('test', (p) => p.name !== 'fonts-liberation');
    expect(missing.map((p) => p.name)).toEqual(['fonts-liberation']);
  });
});
