import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEGIN, END, permissionsTable } from './helpers/aws-permissions';

describe('chaos/README.md: what each shipped experiment needs on AWS', () => {
  it('lists, for every shipped experiment, the actions its fault modules call (derived from the code)', () => {
    const readme = readFileSync(join(__dirname, '../../chaos/README.md'), 'utf8');
    const block = readme.slice(readme.indexOf(BEGIN) + BEGIN.length, readme.indexOf(END)).trim();
    expect(readme.indexOf(BEGIN)).toBeGreaterThan(0);
    expect(block).toBe(permissionsTable());
  });
});
