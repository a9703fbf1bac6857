import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// The provider package's barrel loads all ~1,500 resource classes: synth becomes several times slower.
const BARREL = /from\s+['"]@cdktf\/provider-aws['"]|require\(\s*['"]@cdktf\/provider-aws['"]\s*\)|from\s+['"]@cdktf\/provider-aws\/lib['"]/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('imports of @cdktf/provider-aws', () => {
  const files = [
    'main.ts',
    ...['stacks', 'chaos', 'review', 'bench', '__tests__'].flatMap((d) => {
      try {
        return sources(d);
      } catch {
        return [];
      }
    }),
  ];

  it('scans the project sources', () => expect(files.length).toBeGreaterThan(10));

  it('uses deep imports only (@cdktf/provider-aws/lib/<resource>)', () => {
    const offenders = files.filter((f) => BARREL.test(readFileSync(f, 'utf8')) && !f.endsWith('imports.test.ts'));
    expect(offenders).toEqual([]);
  });

  it('recognises a barrel import when it sees one', () => {
    const barrel = ['@cdktf', 'provider-aws'].join('/');
    expect(BARREL.test(`import { vpc } from '${barrel}';`)).toBe(true);
    expect(BARREL.test("import { Vpc } from '@cdktf/provider-aws/lib/vpc';")).toBe(false);
  });
});
