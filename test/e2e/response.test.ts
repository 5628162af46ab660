// Browser test of the response pages against a real `vigil serve` with the built-in scenario: the measures
// page draws its timeline and table with the scenario's 36 measures and filters them, a measure page shows
// its dated status history, the events registry lists the hosted events and calls, an analyst records a
// person of interest, screens it and screens pasted names; every page is reached by keyboard, passes axe
// (no serious or critical WCAG 2.2 AA violations), requests nothing outside 127.0.0.1 and logs no console
// error. Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningVigil } from '../support/app.ts';
import { assertAccessible, type Watch, watchedPage } from '../support/browser.ts';
import { startVigilInBrowser, type VigilInBrowser } from '../support/e2e.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const ANALYST = 'analyst@example.org';
const PASSWORD = 'a long analyst password';

/** Presses Tab until the focused element has this accessible text (at most `max` presses). */
async function tabTo(page: Page, text: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
    if (focused === text) return;
  }
  assert.fail(`"${text}" was not reached by keyboard in ${max} presses`);
}

describe('response pages in a browser', { timeout: 240_000 }, () => {
  let running: VigilInBrowser;
  let vigil: RunningVigil;
  let context: BrowserContext;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    running = await startVigilInBrowser({ users: [{ email: ANALYST, role: 'analyst', password: PASSWORD }] });
    ({ vigil, context } = running);
  });

  after(async () => {
    await running?.close();
  });

  it('draws the measures timeline and table with the scenario and filters them', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Response' }).click();
    await page.getByRole('heading', { level: 1, name: 'Response' }).waitFor();
    await page.locator('.figures').waitFor();
    const figure = (label: string) =>
      page
        .locator('.figure')
        .filter({ has: page.locator('dt', { hasText: label }) })
        .locator('.figure-value');
    assert.equal(await figure('Measures tracked').textContent(), '36');
    await page.getByRole('img', { name: /Timeline of \d+ dated status changes/ }).waitFor();
    assert.ok((await page.locator('.measure-timeline-svg path').count()) > 20, 'status changes are drawn');
    const table = page.getByRole('table', { name: /Response measures of/ });
    await page.getByText('36 measures.').waitFor();
    assert.equal(await table.locator('tbody tr').count(), 36);
    assert.equal(await table.getByRole('link', { name: /^S\.3000/ }).count(), 1);
    await page.getByRole('link', { name: 'Subscribe to status changes (Atom feed)' }).waitFor();
    await assertAccessible(page, 'response (measures)');

    await page.getByLabel('Category', { exact: true }).selectOption('legal_proceeding');
    await page.getByRole('button', { name: 'Filter', exact: true }).press('Enter');
    await page.getByText(/measures? match(es)? the filters/).waitFor();
    const rows = await table.locator('tbody tr').count();
    assert.ok(rows > 0 && rows < 36, `the filter keeps the legal proceedings (${rows})`);
    for (const cell of await table.locator('tbody tr td:nth-child(3)').allTextContents())
      assert.equal(cell, 'Legal proceeding');
    assert.match(page.url(), /category=legal_proceeding/);
    await page.close();
  });

  it('opens a measure by keyboard and shows its dated status history with the source wording', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/response?q=S.3000`, { waitUntil: 'networkidle' });
    await page.getByRole('table', { name: /Response measures of/ }).waitFor();
    const link = page
      .getByRole('table', { name: /Response measures of/ })
      .getByRole('link', { name: /^S\.3000/ });
    await tabTo(page, (await link.textContent()) ?? '');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /^S\.3000/ }).waitFor();
    const history = page.locator('.status-history > li');
    assert.equal(await history.count(), 2);
    assert.match((await history.nth(0).textContent()) ?? '', /Introduced.*29 September 2023/);
    assert.match((await history.nth(1).textContent()) ?? '', /Passed one chamber.*15 November 2023/);
    assert.match((await page.locator('.status-history').textContent()) ?? '', /passed Senate by voice vote/);
    await page.getByRole('heading', { name: 'Linked incidents' }).waitFor();
    await assertAccessible(page, 'measure');
    await page.close();
  });

  it('shows the events registry with the hosted events, calls and sources', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/response`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Response' }).waitFor();
    await tabTo(page, 'Events registry');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Events registry' }).waitFor();
    await page.getByRole('heading', { level: 3, name: /Eurovision Song Contest 2012/ }).waitFor();
    assert.equal(await page.locator('article.event-card').count(), 6);
    await page.getByRole('heading', { name: 'Calls about events not in the registry' }).waitFor();
    assert.ok((await page.locator('ul.event-card .call-item').count()) >= 2, 'unlinked calls are listed');
    assert.equal(
      await page
        .getByRole('table', { name: /Events hosted/ })
        .locator('tbody tr')
        .count(),
      6,
    );
    assert.equal(
      await page.getByRole('link', { name: 'Persons of interest' }).count(),
      0,
      'no persons for anonymous',
    );
    await assertAccessible(page, 'events registry');
    await page.close();
  });

  it('lets an analyst record a person, screen it, export its dossier and screen pasted names', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(ANALYST);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: new RegExp(ANALYST) }).waitFor();
    await page.goto(`${vigil.url}/s/${SLUG}/response/persons`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Persons of interest' }).waitFor();
    await page.getByText('No person of interest is recorded yet.').waitFor();
    await assertAccessible(page, 'persons (empty)');

    await page.getByLabel('Name', { exact: true }).fill('Ramzan Kadyrov');
    await page.getByLabel('Aliases').fill('Рамзан Кадыров');
    await page.getByLabel('Role', { exact: true }).fill('Head of the Chechen Republic (test record)');
    await page.getByRole('button', { name: 'Record' }).click();
    await page.getByText('Ramzan Kadyrov is recorded.').waitFor();
    await page
      .getByRole('table', { name: /person or entity of interest/ })
      .getByRole('link', { name: 'Ramzan Kadyrov' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Ramzan Kadyrov' }).waitFor();
    await page.getByRole('button', { name: 'Screen the name and aliases' }).click();
    const matches = page.locator('table', {
      has: page.locator('caption', { hasText: 'for “Ramzan Kadyrov”' }),
    });
    await matches.waitFor({ timeout: 60_000 });
    const text = (await matches.textContent()) ?? '';
    assert.match(text, /KADYROV, Ramzan/);
    assert.match(text, /OFAC SDN list \(sha256 [0-9a-f]{64}/, 'the list and its version are named');
    const md = page.getByRole('link', { name: 'Download the dossier (Markdown)' });
    const res = await page.request.get(new URL((await md.getAttribute('href')) ?? '', vigil.url).toString());
    assert.equal(res.status(), 200);
    assert.match(await res.text(), /Ramzan Kadyrov/);
    await assertAccessible(page, 'person');

    await page.goto(`${vigil.url}/s/${SLUG}/response/persons`, { waitUntil: 'networkidle' });
    await page.getByLabel('Names', { exact: true }).fill('Saddam Hussein\nSomeone Unlisted Zzyzx');
    await page.getByRole('button', { name: 'Screen', exact: true }).click();
    await page
      .locator('table', { has: page.locator('caption', { hasText: 'for “Saddam Hussein”' }) })
      .waitFor({ timeout: 60_000 });
    await page.getByText('No match on the lists loaded.').waitFor();
    await assertAccessible(page, 'persons (screened)');
    await page.close();
  });

  it('takes a report from the public anonymously and gives a receipt', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Report what you saw' }).click();
    await page.getByRole('heading', { level: 1, name: 'Report what you saw' }).waitFor();
    await page.getByText(/No IP address or browser details are stored/).waitFor();
    await assertAccessible(page, 'report form');
    await page.getByLabel('What happened').fill('A convoy was stopped at the checkpoint (browser test).');
    await page.getByLabel('When (date)').fill('2023-07');
    await page.getByLabel('Where: how precisely to store the place').selectOption('town');
    await page.getByLabel('Place name').fill('Lachin corridor');
    await page.getByRole('button', { name: 'Send the report' }).click();
    await page.getByText(/Your report was received/).waitFor();
    assert.match((await page.locator('code').textContent()) ?? '', /^[0-9a-f]{64}$/);
    await assertAccessible(page, 'report receipt');
    await page.close();
  });

  it('requested nothing outside 127.0.0.1 and logged no console errors', () => {
    assert.deepEqual(watch.outside, [], 'requests left the machine');
    assert.deepEqual(watch.errors, [], 'console errors');
  });
});
