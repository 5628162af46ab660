// Browser test of the lifeline page against a real `vigil serve` with the built-in scenario: the key-figure
// cards each show their sources (the scenario check: 5,574 of 72,800 t, 7.7 %), the chart draws delivered
// against needed with the closure shaded, utility cuts as bands and contested figures marked, the tables
// hold the figures as text to copy, and a signed-in documenter adds an observation through the form, with
// the server's refusals shown beside their fields. Every state passes axe (no serious or critical WCAG 2.2
// AA violations), requests nothing outside 127.0.0.1 and logs no console error. Needs the built web app
// (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { RunningVigil } from '../support/app.ts';
import { assertAccessible, type Watch, watchedPage } from '../support/browser.ts';
import { startVigilInBrowser, type VigilInBrowser } from '../support/e2e.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const DOCUMENTER = 'documenter@example.org';
const PASSWORD = 'a long documenter password';
const CHECK = `/s/${SLUG}/lifeline?from=2022-12-12&to=2023-06-11`;

describe('lifeline page in a browser', { timeout: 240_000 }, () => {
  let running: VigilInBrowser;
  let vigil: RunningVigil;
  let context: BrowserContext;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    running = await startVigilInBrowser({
      users: [{ email: DOCUMENTER, role: 'documenter', password: PASSWORD }],
    });
    ({ vigil, context } = running);
  });

  after(async () => {
    await running?.close();
  });

  const figure = (page: Page, label: string | RegExp) =>
    page.locator('.lifeline-figures .figure').filter({ has: page.locator('dt', { hasText: label }) });

  it('shows the key figures each with its sources, the chart and the tables to copy', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}${CHECK}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: /Lifeline/ }).waitFor();
    await page.locator('.lifeline-figures').waitFor();

    // Key figures: the scenario check, and a source link on every card.
    const delivered = figure(page, 'Delivered against needed');
    assert.equal(
      (await delivered.locator('.figure-value').textContent())?.replace(/\s/g, ' '),
      '5,574 of 72,800 t',
    );
    assert.match((await delivered.textContent()) ?? '', /400 t\/day × 182 days = 72,800 t/);
    assert.ok(
      await delivered.locator('a[href*="1lurer.am"]').count(),
      'the delivered figure links the 182-day report',
    );
    assert.ok(
      await delivered.locator('a[href*="artsakhpress.am"]').count(),
      "the baseline's own source is shown",
    );
    assert.match((await figure(page, 'Coverage').locator('.figure-value').textContent()) ?? '', /7\.7\s?%/);
    const cards = page.locator('.lifeline-figures .figure');
    const n = await cards.count();
    assert.ok(n >= 6, `${n} key-figure cards`);
    for (let i = 0; i < n; i++) {
      const card = cards.nth(i);
      const label = await card.locator('dt').textContent();
      assert.ok(
        (await card.locator('.figure-source a[href^="http"]').count()) > 0,
        `the card "${label}" shows its source`,
      );
    }
    // Contested figures are marked: the gas cut's dated days against the 117 the source states.
    const gas = figure(page, 'Days without gas');
    assert.equal(await gas.locator('.contested-mark').textContent(), 'contested');
    assert.match((await gas.textContent()) ?? '', /sup-034 states 117 days/);

    // The chart: needed against delivered (the 182-day total drawn as its daily average), utility cuts
    // as bands in their lanes, a contested end marked.
    const chart = page.locator('svg.lifeline-chart');
    await chart.waitFor();
    assert.ok(await chart.locator('path[stroke-dasharray="8 4"]').count(), 'the needed line is drawn');
    await chart
      .getByRole('button', { name: /sup-031/ })
      .first()
      .waitFor();
    await chart
      .getByRole('button', { name: /^Electricity cut/ })
      .first()
      .waitFor();
    await chart
      .getByRole('button', { name: /^Gas cut.*Another source gives a later end/ })
      .first()
      .waitFor();

    // Selecting a mark by keyboard shows its sources beside the chart.
    await chart
      .getByRole('button', { name: /sup-031/ })
      .first()
      .focus();
    await page.keyboard.press('Enter');
    assert.equal(
      await chart
        .getByRole('button', { name: /sup-031/ })
        .first()
        .getAttribute('aria-pressed'),
      'true',
    );

    // The tables hold the figures as text (a journalist copies them from here).
    const keyTable = page.getByRole('table', { name: /Lifeline key figures/ });
    assert.match((await keyTable.textContent()) ?? '', /5,574/);
    const used = page.getByRole('table', { name: /Delivered figures in the period/ });
    const row = used.getByRole('row', { name: /^sup-031 / });
    assert.match((await row.textContent()) ?? '', /5,574 t/);
    assert.ok(await row.locator('a[href*="1lurer.am"]').count(), 'each row links its source');
    assert.match((await used.textContent()) ?? '', /sup-028.*Not added: lies within sup-031/s);
    await page.getByText(/Show the 182 days as a table/).click();
    const daily = page.getByRole('table', { name: /Per day, in t/ });
    assert.equal(await daily.locator('tbody tr').count(), 182);

    // A visitor who may not write is told who can, and sees no form.
    await page.getByText('Documenters, analysts and admins can add observations').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Record the observation' }).count(), 0);
    await assertAccessible(page, 'lifeline page');

    // The whole blockade: the closure is shaded in the chart.
    await page.goto(`${vigil.url}/s/${SLUG}/lifeline`, { waitUntil: 'networkidle' });
    await chart
      .getByRole('button', { name: /^Corridor closed/ })
      .first()
      .waitFor();
    assert.ok(await chart.locator('rect[fill*="-closed)"]').count(), 'the closure is hatched');
    await assertAccessible(page, 'lifeline page, whole blockade');
    await page.close();
  });

  it('lets a documenter add an observation, showing refusals beside their fields', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(DOCUMENTER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await page.goto(`${vigil.url}/s/${SLUG}/lifeline?from=2023-09-20&to=2023-09-30`, {
      waitUntil: 'networkidle',
    });
    const form = page.getByRole('form', { name: 'Add an observation' });
    await form.waitFor();

    // Checked in the browser: required fields.
    await form.getByRole('button', { name: 'Record the observation' }).click();
    await form.getByText('Give the date as YYYY-MM-DD.').waitFor();
    assert.equal(
      await form.getByLabel('Date, or first day of the period').getAttribute('aria-invalid'),
      'true',
    );
    await form.getByText('Give the web address of the source').waitFor();

    // Refused by the server, each reason beside its field: an unknown unit, an end before the start.
    await form.getByLabel('Date, or first day of the period').fill('2023-09-25');
    await form.getByLabel('Last day of the period (optional)').fill('2023-09-21');
    await form.getByLabel('Route or crossing (optional)').fill('aghdam-road');
    await form.getByLabel('Quantity').fill('3');
    await form.getByLabel('Unit', { exact: true }).fill('sacks');
    await form.getByLabel('Carriers (optional)').fill('ICRC');
    await form.getByLabel('Source (web address)').fill('https://example.org/browser-test');
    await form.getByRole('button', { name: 'Record the observation' }).click();
    await form.getByText(/Unknown unit "sacks"/).waitFor();
    await form.getByText(/Ends \(2023-09-21\) before it starts \(2023-09-25\)/).waitFor();
    assert.equal(await form.getByLabel('Unit', { exact: true }).getAttribute('aria-invalid'), 'true');
    await form.getByText('The observation was not recorded').waitFor();
    await assertAccessible(page, 'lifeline form with errors');

    // Truckloads without a stated tonnage are refused; with it they convert, and the figures show it.
    await form.getByLabel('Last day of the period (optional)').fill('');
    await form.getByLabel('Unit', { exact: true }).fill('truckloads');
    await form.getByRole('button', { name: 'Record the observation' }).click();
    await form.getByText(/only with a stated tonnage per truckload/).waitFor();
    await form.getByLabel('Tonnes per truckload').fill('20');
    await form.getByRole('button', { name: 'Record the observation' }).click();
    await form
      .getByRole('status')
      .getByText('Recorded: 60 t of food, 2023-09-25. (3 truckloads × 20 t)')
      .waitFor();
    await page.getByRole('table', { name: /Delivered figures in the period/ }).waitFor();
    await page
      .getByRole('button', { name: /: 60 t delivered$/ })
      .first()
      .waitFor();
    assert.equal(await form.getByLabel('Quantity').inputValue(), '', 'the form is emptied for the next one');
    await assertAccessible(page, 'lifeline form after recording');

    assert.deepEqual(watch.outside, [], 'requests left the machine');
    assert.deepEqual(
      watch.errors.filter((e) => !/status of 400/.test(e)),
      [],
      'console errors (other than the refused requests)',
    );
    await page.close();
  });
});
