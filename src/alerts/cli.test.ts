// `vigil replay` as a process: paced with --speed it prints the table; a bad speed is refused with a clear
// message and exit 1.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { runVigil } from '../../test/support/app.ts';
import { copyTemplate } from '../../test/support/template.ts';

describe('vigil replay', { timeout: 180_000 }, () => {
  let dataDir = '';
  before(async () => {
    dataDir = copyTemplate();
    const demo = await runVigil(['demo'], { env: { VIGIL_DATA_DIR: dataDir } });
    assert.equal(demo.code, 0, demo.stderr);
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replays a paced span and prints the alerts it would have raised', async () => {
    const run = await runVigil(
      ['replay', 'nagorno-karabakh-2022-23', '--speed', '500', '--from', '2023-06-01', '--to', '2023-06-30'],
      { env: { VIGIL_DATA_DIR: dataDir } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Replay of nagorno-karabakh-2022-23, 2023-06-01 to 2023-06-30/);
    assert.match(run.stdout, /^2023-06-15 +critical +Full closure/m);
  });

  it('refuses a speed that is not a positive number', async () => {
    const run = await runVigil(['replay', 'nagorno-karabakh-2022-23', '--speed', '0'], {
      env: { VIGIL_DATA_DIR: dataDir },
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /speed/);
  });
});
