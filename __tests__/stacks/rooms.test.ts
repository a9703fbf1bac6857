import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The rooms follow the data: outputs → targets → drivers → engine → journal → report. These checks
 * read every import of the chaos module and of the rehearsal, so a hallway that runs against the
 * data flow fails here rather than in review.
 */

const REPO = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(REPO, path)).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The relative imports of a file, as repository paths. */
function relativeImports(file: string, text: string): string[] {
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)];
  return found.map((m) => normalize(join(dirname(file), m[1] ?? '')));
}

/** Imports of `file` that leave `room` for anywhere but `allowed`. */
function outsideRoom(file: string, text: string, room: string, allowed: readonly string[]): string[] {
  return relativeImports(file, text).filter((target) => {
    const inside = (dir: string): boolean => !relative(dir, target).startsWith('..');
    return !inside(room) && !allowed.some(inside);
  });
}

const importsOf = (file: string): string[] => relativeImports(file, readFileSync(join(REPO, file), 'utf8'));

describe('rooms', () => {
  const chaos = sources('chaos');
  const rehearsal = sources('rehearsal');

  it('reads the sources', () => {
    expect(chaos.length).toBeGreaterThan(50);
    expect(rehearsal.length).toBeGreaterThan(10);
  });

  // The rehearsal also installs the machine's system packages (setup/: the one list of them).
  it.each<[string, readonly string[]]>([
    ['chaos', ['contract']],
    ['rehearsal', ['contract', 'setup']],
    ['contract', []],
    ['setup', []],
  ])('%s/ imports from outside its room only %j', (room, allowed) => {
    const offenders = sources(room).flatMap((f) =>
      outsideRoom(f, readFileSync(join(REPO, f), 'utf8'), room, allowed).map((t) => `${f} → ${t}`),
    );
    expect(offenders).toEqual([]);
  });

  it.each(['chaos/model', 'chaos/report', 'chaos/journal', 'chaos/faults', 'chaos/sampling'])(
    '%s imports nothing from the drivers or the adapters',
    (room) => {
      const offenders = chaos
        .filter((f) => f.startsWith(`${room}/`))
        .flatMap((f) =>
          importsOf(f)
            .filter((t) => t.startsWith('chaos/drivers') || t.startsWith('chaos/adapters'))
            .map((t) => `${f} → ${t}`),
        );
      expect(offenders).toEqual([]);
    },
  );

  it("one file decides the target's adapters: no other file of chaos/ switches on the outputs' target", () => {
    const SWITCH = /\.target\s*[!=]==\s*'(aws|local)'|case\s+'(aws|local)'\s*:/;
    const deciding = chaos.filter((f) => SWITCH.test(readFileSync(join(REPO, f), 'utf8')));
    expect(deciding).toEqual(['chaos/targets/bind-target.ts']);
  });

  it('recognises an import that leaves its room', () => {
    const text = "import { x } from '../../stacks/config';\nimport { y } from '../../contract/outputs';\nimport { z } from './z';";
    expect(outsideRoom('chaos/engine/a.ts', text, 'chaos', ['contract'])).toEqual(['stacks/config']);
  });
});
