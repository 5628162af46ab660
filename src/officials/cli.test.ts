import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runVigil } from '../../test/support/app.ts';
import { copyTemplate } from '../../test/support/template.ts';

const EXAMPLE = new URL('../../datasets/officials-example/', import.meta.url).pathname;

describe('vigil officials import', () => {
  const dataDir = copyTemplate();
  const env = { VIGIL_DATA_DIR: dataDir, DATABASE_URL: '' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a bad file naming file:line:reason, imports nothing, then imports a good one', async () => {
    const bad = join(dataDir, 'bad.csv');
    writeFileSync(
      bad,
      'id,name,title,body,email\nam-1,Ann,Minister,government,ann@\nam-2,,President,head_of_state,\n',
    );
    const refused = await runVigil(['officials', 'import', bad, '--country', 'AM'], { env });
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(`${bad}:2: email: "ann@" is not an email address`), refused.stderr);
    assert.ok(refused.stderr.includes(`${bad}:3: name: is required`), refused.stderr);
    assert.match(refused.stderr, /vigil: .*2 error\(s\), nothing imported/);
    const none = await runVigil(['officials', 'sources'], { env });
    assert.doesNotMatch(none.stdout, /csv:AM/, 'nothing of the bad file was stored');

    const good = join(dataDir, 'good.csv');
    writeFileSync(good, 'id,name,title,body\nam-1,Ann Example,Minister of Foreign Affairs,government\n');
    const imported = await runVigil(['officials', 'import', good, '--country', 'am'], { env });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported csv:AM: 1 officials/);
    const sources = await runVigil(['officials', 'sources'], { env });
    assert.match(sources.stdout, /^csv:AM\tAM\t1 officials\t/m);
  });

  it('imports the shipped YAML example with its committees, searchable by committee', async () => {
    const badYaml = join(dataDir, 'bad.yaml');
    writeFileSync(
      badYaml,
      'officials:\n  - id: xx-1\n    name: A\n    title: T\n    body: parliament\n    committees: [XX-NONE]\n',
    );
    const refused = await runVigil(['officials', 'import', badYaml, '--country', 'XX'], { env });
    assert.equal(refused.code, 1);
    assert.ok(refused.stderr.includes(`${badYaml}:6: committees: no committee "XX-NONE"`), refused.stderr);

    const file = `${EXAMPLE}officials-xx.yaml`;
    const imported = await runVigil(['officials', 'import', file, '--country', 'XX'], { env });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported csv:XX: 4 officials, 3 committees, 4 memberships/);
    const search = await runVigil(['officials', 'search', '--committee', 'XX-FA', '--json'], { env });
    assert.equal(search.code, 0, search.stderr);
    const found = JSON.parse(search.stdout) as {
      externalId: string;
      committees: { code: string; title: string | null }[];
    }[];
    assert.deepEqual(
      found.map((o) => o.externalId),
      ['xx-mp-south-2', 'xx-mp-north-1'],
    );
    assert.equal(found[1]!.committees.find((c) => c.code === 'XX-FA')!.title, 'Chair');

    const csv = await runVigil(
      [
        'officials',
        'import',
        `${EXAMPLE}officials-xx.csv`,
        '--country',
        'XX',
        '--committees',
        `${EXAMPLE}committees-xx.csv`,
      ],
      { env },
    );
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(
      csv.stdout,
      /imported csv:XX: 4 officials, 3 committees, 4 memberships/,
      're-importing keeps the same',
    );
  });
});
