// Browser test of coordination in the product against a real `vigil serve` (whose worker runs the
// analysis): an analyst imports a file of posts with planted coordinated groups, starts a run and follows
// it to the end, sees communities, the graph drawn on a canvas, finds an account, opens the posts behind
// an edge, and records a narrative's stance, which a newer run carries over. Pages pass axe; nothing
// leaves 127.0.0.1; no console errors.
// Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { defaultConfig, type GeneratedPost, generate } from '../../bench/coordination/generate.ts';
import type { RunningVigil } from '../support/app.ts';
import { assertAccessible, type Watch, watchedPage } from '../support/browser.ts';
import { startVigilInBrowser, type VigilInBrowser } from '../support/e2e.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const ANALYST = 'analyst@example.org';
const PASSWORD = 'a long enough password';

describe('coordination page in a browser', { timeout: 300_000 }, () => {
  let running: VigilInBrowser;
  let vigil: RunningVigil;
  let fileDir: string;
  let postsFile: string;
  let page: Page;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    fileDir = mkdtempSync(join(tmpdir(), 'vigil-coord-e2e-'));
    postsFile = join(fileDir, 'posts.jsonl');
    const lines: string[] = [];
    generate(defaultConfig(10_000, 5), (p: GeneratedPost) => lines.push(JSON.stringify(p)));
    writeFileSync(postsFile, `${lines.join('\n')}\n{"id": "broken"}\n`);
    running = await startVigilInBrowser({ users: [{ email: ANALYST, role: 'analyst', password: PASSWORD }] });
    vigil = running.vigil;
    page = await watchedPage(running.context, watch);
  });

  after(async () => {
    await running?.close();
    if (fileDir) rmSync(fileDir, { recursive: true, force: true });
  });

  it('imports posts, runs the analysis, explores the graph and records a stance', async () => {
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(ANALYST);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: new RegExp(ANALYST) }).waitFor();

    await page.goto(`${vigil.url}/s/${SLUG}/coordination`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Coordination' }).waitFor();
    await page.getByText('No finished analysis yet').waitFor();
    await assertAccessible(page, 'coordination page, empty');

    // Every text the import's status line shows, as it changes (the page follows the import's progress).
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { importTexts: string[] }).importTexts = seen;
      new MutationObserver(() => {
        for (const status of document.querySelectorAll('form.upload-box [role="status"]')) {
          const text = status.textContent ?? '';
          if (text && seen[seen.length - 1] !== text) seen.push(text);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByLabel('File of posts').setInputFiles(postsFile);
    await page.getByRole('button', { name: 'Import posts' }).click();
    await page
      .getByText(/posts\.jsonl: 10,000 posts read \(json\), 10,000 stored/)
      .waitFor({ timeout: 120_000 });
    const importTexts = await page.evaluate(
      () => (window as unknown as { importTexts: string[] }).importTexts,
    );
    assert.ok(
      importTexts.some((text) =>
        /Read [\d,]+ posts of about [\d,]+|Stored [\d,]+ of 10,000 posts/.test(text),
      ),
      `no import progress among ${JSON.stringify(importTexts)}`,
    );
    await page
      .getByText(/line 10,001: missing required field/)
      .first()
      .waitFor();

    await page.getByRole('button', { name: 'Start the analysis' }).click();
    await page.getByRole('heading', { level: 2, name: 'Communities' }).waitFor({ timeout: 180_000 });
    await page.getByRole('heading', { level: 3, name: /^Community 1:/ }).waitFor();

    // The graph is drawn by sigma on canvases inside its container.
    const canvas = page.getByTestId('coordination-graph').locator('canvas').first();
    await canvas.waitFor();
    const box = await canvas.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 100, 'graph canvas has a size');

    // Find an account of the strongest edge.
    const strongest = page.getByRole('table', { name: /strongest edges/ });
    const firstPair = (await strongest.locator('tbody tr').first().locator('td').first().textContent()) ?? '';
    const account = firstPair.split(' — ')[0]?.trim() ?? '';
    assert.ok(account, 'an account in the strongest edge');
    await page.getByLabel('Find an account').fill(account);
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('heading', { level: 3, name: `Account ${account}` }).waitFor();

    // The posts behind one of its edges.
    await page
      .getByRole('table', { name: `Edges of ${account}` })
      .getByRole('button')
      .first()
      .click();
    await page.getByRole('heading', { level: 3, name: /^Posts behind the edge / }).waitFor();
    const coActions = page.getByRole('table', { name: /co-actions, earliest first/ });
    await coActions.waitFor();
    assert.ok((await coActions.locator('tbody tr').count()) >= 3);
    await assertAccessible(page, 'coordination results');

    // An analyst records what the first narrative does.
    const form = page.getByRole('form', { name: 'Stance of Narrative 1' });
    await form.getByLabel('Stance', { exact: true }).selectOption('denial');
    await form.getByLabel('Note on the stance').fill('Says the corridor is open');
    await form.getByRole('button', { name: 'Save the stance' }).click();
    await page.getByTestId('stance-1').filter({ hasText: 'denial' }).waitFor();
    await page.getByText('— Says the corridor is open').waitFor();

    // A newer run keeps the analyst's stance on the same narrative and says where it came from.
    await page.getByRole('button', { name: 'Start the analysis' }).click();
    await page.getByTestId('stance-carried-1').waitFor({ timeout: 180_000 });
    await page.getByTestId('stance-1').filter({ hasText: 'denial' }).waitFor();
    await assertAccessible(page, 'coordination results of a newer run');

    assert.deepEqual(watch.outside, []);
    assert.deepEqual(watch.errors, []);
  });
});
