// `vigil coordination import FILE --situation S`: posts stored once, malformed lines listed with numbers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runVigil } from '../../test/support/app.ts';
import { copyTemplate } from '../../test/support/template.ts';

describe('vigil coordination import', { timeout: 180_000 }, () => {
  let dataDir: string;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dataDir = copyTemplate();
    dir = mkdtempSync(join(tmpdir(), 'vigil-coord-cli-'));
    env = { VIGIL_DATA_DIR: dataDir };
    const demo = await runVigil(['demo'], { env });
    assert.equal(demo.code, 0, demo.stderr);
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports posts once and lists malformed lines', async () => {
    const file = join(dir, 'posts.csv');
    writeFileSync(
      file,
      'id,author,created_at,text\n1,a,2023-01-01T10:00:00Z,the road is open\n2,b,,no time\n3,c,1672567260,hello\n',
    );
    const first = await runVigil(
      ['coordination', 'import', file, '--situation', 'nagorno-karabakh-2022-23'],
      { env },
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /2 posts read \(csv\), 2 stored, 0 already in nagorno-karabakh-2022-23, 1 malformed/,
    );
    assert.match(first.stdout, /posts\.csv:3 missing required field 'created_at'/);
    const again = await runVigil(
      ['coordination', 'import', file, '--situation', 'nagorno-karabakh-2022-23'],
      { env },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /2 posts read \(csv\), 0 stored, 2 already in/);
    const missing = await runVigil(['coordination', 'import', file, '--situation', 'no-such-place'], { env });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /situation no-such-place was not found/);
  });
});
