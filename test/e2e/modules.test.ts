// Browser test of the evidence and lifeline pages against a real `vigil serve` with the built-in scenario:
// the lifeline page draws its chart and key figures with the scenario's sourced numbers, a documenter
// uploads a PNG through the incident page and sees it sealed and listed with its SHA-256, the item page
// shows the verification panel and custody log, every new page passes axe (no serious or critical WCAG 2.2
// AA violations), nothing is requested from outside 127.0.0.1, and nothing is logged as a console error.
// Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { BrowserContext } from 'playwright-core';
import type { RunningVigil } from '../support/app.ts';
import { assertAccessible, type Watch, watchedPage } from '../support/browser.ts';
import { startVigilInBrowser, type VigilInBrowser } from '../support/e2e.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const EMAIL = 'documenter@example.org';
const PASSWORD = 'a long documenter password';

/** A small valid PNG (solid colour), different for each seed. */
function png(seed: number): Buffer {
  const w = 24;
  const h = 16;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(w * 3, seed & 0xff)]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('evidence and lifeline pages in a browser', { timeout: 240_000 }, () => {
  let running: VigilInBrowser;
  let vigil: RunningVigil;
  let context: BrowserContext;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    running = await startVigilInBrowser({
      users: [{ email: EMAIL, role: 'documenter', password: PASSWORD }],
    });
    ({ vigil, context } = running);
  });

  after(async () => {
    await running?.close();
  });

  it('draws the lifeline chart and key figures with their sources for the 182-day report period', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Lifeline' }).click();
    await page.getByRole('heading', { level: 1, name: 'Lifeline' }).waitFor();
    await page.locator('svg.lifeline-chart').waitFor();
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, 'lifeline (situation period)');

    // Choose the period of the 182-day report with the form.
    await page.getByLabel('From', { exact: true }).fill('2022-12-12');
    await page.getByLabel('To', { exact: true }).fill('2023-06-11');
    await page.getByRole('button', { name: 'Show this period' }).click();
    await page.waitForURL(/from=2022-12-12&to=2023-06-11/);
    await page.locator('.window-line', { hasText: '182 days' }).waitFor();
    const figures = page.locator('.lifeline-figures');
    const delivered = figures.locator('.figure', { hasText: 'Delivered against needed' });
    await delivered.locator('.figure-value', { hasText: '5,574 of 72,800 t' }).waitFor();
    assert.ok(
      (await delivered.locator('a[href^="http"]').count()) >= 2,
      'the delivered figure links its source and the baseline’s source',
    );
    const coverage = figures.locator('.figure', { hasText: 'Coverage' });
    assert.equal((await coverage.locator('.figure-value').textContent())?.trim(), '7.7%');
    const electricity = figures.locator('.figure', { hasText: 'Days without electricity' });
    assert.match((await electricity.locator('.figure-value').textContent()) ?? '', /154 days/);
    const gas = figures.locator('.figure', { hasText: 'Days without gas' });
    assert.ok(await gas.locator('.contested-mark').isVisible(), 'the contested gas count is marked');
    await gas.getByText('Compare the sources side by side').click();
    assert.ok(
      (await gas.locator('.side-by-side .compare-card').count()) >= 2,
      'competing counts side by side',
    );

    // The chart: the period total is a named, focusable mark that opens its sources.
    const mark = page.locator('svg.lifeline-chart [role="button"]', { hasText: 'sup-031' });
    assert.match((await mark.getAttribute('aria-label')) ?? '', /sup-031: 5,574 t over/);
    await mark.focus();
    await page.keyboard.press('Enter');
    await page.locator('.chart-detail a[href^="http"]').first().waitFor();
    assert.ok((await page.locator('svg.lifeline-chart [role="button"]').count()) > 5, 'bands are focusable');

    // The table behind it.
    const table = page.locator('table', { hasText: 'Lifeline key figures' });
    assert.ok(await table.locator('td', { hasText: '72,800 t' }).first().isVisible());
    assert.ok(await page.locator('a[href$="/lifeline/observations.csv"]').isVisible(), 'CSV link');
    await assertAccessible(page, 'lifeline (182 days)');
    await page.close();
  });

  it('shows the evidence page to anonymous readers', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Evidence' }).waitFor();
    await page.locator('.figures').waitFor();
    assert.equal(await page.locator('form.upload-form').count(), 0, 'no upload form for anonymous readers');
    await assertAccessible(page, 'evidence (anonymous)');
    await page.close();
  });

  it('lets a documenter upload a PNG on an incident page and see it sealed with its hash', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: new RegExp(EMAIL) }).waitFor();

    await page.goto(`${vigil.url}/s/${SLUG}/incidents`, { waitUntil: 'networkidle' });
    await page.locator('.data-table tbody a').first().click();
    await page.getByRole('heading', { level: 2, name: 'Evidence' }).waitFor();
    await page.locator('form.upload-form').waitFor();
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, 'incident page with evidence (documenter)');

    const bytes = png(7);
    const hash = createHash('sha256').update(bytes).digest('hex');
    await page.getByLabel('File').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: bytes });
    await page.getByLabel('Title (optional)').fill('Roof of the school');
    await page.getByRole('button', { name: 'Upload and seal' }).click();
    await page.locator('.upload-outcome .hash', { hasText: hash }).waitFor();
    assert.ok(await page.locator('.upload-mismatch').isVisible(), 'a PNG sent as JPEG is flagged');
    await page.locator('.evidence-gallery .evidence-card', { hasText: 'Roof of the school' }).waitFor();
    const thumb = page.locator('.evidence-card', { hasText: 'Roof of the school' }).locator('img');
    assert.match(
      (await thumb.getAttribute('src')) ?? '',
      /\/publishable$/,
      'the thumbnail is the publishable copy',
    );

    // The same bytes again: a duplicate, nothing new stored.
    await page.getByLabel('File').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: bytes });
    await page.getByRole('button', { name: 'Upload and seal' }).click();
    await page.locator('.upload-duplicate').waitFor();
    await page.locator('.evidence-card', { hasText: 'Roof of the school' }).waitFor();
    assert.equal(await page.locator('.evidence-card', { hasText: 'Roof of the school' }).count(), 1);

    // The item page: sealed facts, verification panel, custody log.
    await page.locator('.upload-duplicate a', { hasText: 'Roof of the school' }).click();
    await page.getByRole('heading', { level: 1, name: 'Roof of the school' }).waitFor();
    await page.locator('dd.hash', { hasText: hash }).first().waitFor();
    await page.getByLabel('Method').selectOption('metadata-check');
    await page.getByLabel('Conclusion').selectOption('inconclusive');
    await page.getByLabel('Note', { exact: true }).fill('No capture metadata in the file.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('.notes-list li', { hasText: 'No capture metadata in the file.' }).waitFor();
    await page.getByLabel('Move to phase').selectOption('verification');
    await page.getByRole('button', { name: 'Move', exact: true }).click();
    await page.locator('.phase-steps [aria-current="step"]', { hasText: 'Verification' }).waitFor();
    await page.locator('.custody-entry', { hasText: 'Phase changed' }).waitFor();
    for (const action of ['Sealed', 'Same bytes sent again', 'Verification note added'])
      assert.ok(await page.locator('.custody-entry', { hasText: action }).first().isVisible(), action);
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, 'evidence item (documenter)');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Evidence' }).click();
    await page.getByRole('heading', { level: 1, name: 'Evidence' }).waitFor();
    await page.locator('.evidence-table td.hash', { hasText: hash }).waitFor();
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, 'evidence (documenter)');
    await page.close();
  });

  it('requested nothing outside 127.0.0.1 and logged no console errors', () => {
    assert.deepEqual(watch.outside, [], 'requests left the machine');
    assert.deepEqual(watch.errors, [], 'console errors');
  });
});
