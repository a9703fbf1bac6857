import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { faultCatalogMarkdown } from '../../chaos/commands/list';
import { experimentSchemaText } from '../../chaos/commands/schema';
import { ALL_FAULTS, FAULT_CATALOG } from '../../chaos/drivers';
import { loadExperiment } from '../../chaos/model/load-experiment';
import { REPO } from './helpers/cli-harness';

describe('experiment JSON Schema', () => {
  it('GIVEN the committed chaos/schema/experiment.schema.json THEN it matches the zod schema (regenerate with `npm run chaos -- schema --out …`)', async () => {
    const committed = await readFile(join(REPO, 'chaos/schema/experiment.schema.json'), 'utf8');
    expect(committed).toBe(experimentSchemaText());
  });

  it('spells out each fault with its own arguments', () => {
    const text = experimentSchemaText();
    expect(text).toContain('"const": "http:get"');
    expect(text).toContain('Path requested on the platform');
  });
});

describe('shipped experiments', () => {
  it('every file in chaos/experiments validates', async () => {
    const dir = join(REPO, 'chaos/experiments');
    const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      await expect(loadExperiment(file, join(dir, file), { catalog: FAULT_CATALOG, env: {} })).resolves.toMatchObject({ file });
    }
  });
});

describe('fault catalog in chaos/README.md', () => {
  it('matches `chaos list --format markdown` (regenerate it when adding a fault)', async () => {
    const readme = await readFile(join(REPO, 'chaos/README.md'), 'utf8');
    const embedded = /<!-- faults:begin -->\n([\s\S]*?)\n<!-- faults:end -->/.exec(readme)?.[1];
    expect(embedded).toBe(faultCatalogMarkdown(ALL_FAULTS));
  });
});
