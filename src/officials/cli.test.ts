import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runVigil } from '../../test/support/app.ts';
import { copyTemplate } from '../../test/support/template.ts';

describe('vigil officials import', () => {
  const dataDir = copyTemplate();
  const env = { VIGIL_DATA_DIR: dataDir, DATABASE_URL: '' };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a bad file naming each row and field, then imports a good one', async () => {
    const bad = join(dataDir, 'bad.csv');
    writeFileSync(
      bad,
      'id,name,title,body,email\nam-1,Ann,Minister,government,ann@\nam-2,,President,head_of_state,\n',
    );
    const refused = await runVigil(['officials', 'import', bad, '--country', 'AM'], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /row 1\.email: "ann@" is not an email address/);
    assert.match(refused.stderr, /row 2\.name: is required/);
    assert.match(refused.stderr, /vigil: .*2 error\(s\), nothing imported/);

    const good = join(dataDir, 'good.csv');
    writeFileSync(good, 'id,name,title,body\nam-1,Ann Example,Minister of Foreign Affairs,government\n');
    const imported = await runVigil(['officials', 'import', good, '--country', 'am'], { env });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /imported csv:AM: 1 officials/);
    const sources = await runVigil(['officials', 'sources'], { env });
    assert.match(sources.stdout, /^csv:AM\tAM\t1 officials\t/m);
  });
});
