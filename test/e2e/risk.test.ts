// Browser test of the risk module's remaining pages against a real `vigil serve` with the built-in scenario:
// an analyst opens the model page from the risk page, uploads a small synthetic panel, runs a backtest and a
// forecast, follows the progress, and sees the metrics, the ROC curve and recall at k (SVG images with their
// tables), the ranking with contributions and the downloads, still there after a reload; records a stage
// observation with the form; and compares two assessments in the diff view. Every page passes axe (no
// serious or critical WCAG 2.2 AA violations); nothing is requested outside 127.0.0.1; no console error.
// Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { panelToCsv } from '../../src/risk/model/panel.ts';
import { generatePanel } from '../../src/risk/model/synthetic.ts';
import type { RunningVigil } from '../support/app.ts';
import { assertAccessible, type Watch, watchedPage } from '../support/browser.ts';
import { startVigilInBrowser, type VigilInBrowser } from '../support/e2e.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const ANALYST = 'risk-analyst@example.org';
const PASSWORD = 'a long enough password';

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(ANALYST);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: new RegExp(ANALYST) }).waitFor();
}

describe('risk model page, stage form and assessment diff in a browser', { timeout: 600_000 }, () => {
  let running: VigilInBrowser;
  let vigil: RunningVigil;
  let tmp: string;
  let panelFile: string;
  let page: Page;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'vigil-risk-e2e-'));
    panelFile = join(tmp, 'small-panel.csv');
    // Small on purpose: 40 units × 50 years.
    writeFileSync(
      panelFile,
      panelToCsv(generatePanel({ units: 40, from: 1975, to: 2024, onsetRate: 0.02, seed: 3 })),
    );
    running = await startVigilInBrowser({ users: [{ email: ANALYST, role: 'analyst', password: PASSWORD }] });
    vigil = running.vigil;
    page = await watchedPage(running.context, watch);
    await signIn(page, vigil.url);
  });

  after(async () => {
    await running?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(watch.outside, [], 'requests outside 127.0.0.1');
    assert.deepEqual(watch.errors, [], 'console errors');
  });

  it('uploads a panel, runs a backtest and a forecast, and shows the ranking, ROC and recall charts', async () => {
    await page.goto(`${vigil.url}/s/${SLUG}/risk`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Statistical risk model (country-year panels)' }).click();
    await page.getByRole('heading', { level: 1, name: 'Statistical risk model' }).waitFor();
    await assertAccessible(page, 'risk model (empty)');

    await page.getByLabel('Panel CSV file').setInputFiles(panelFile);
    await page.getByRole('button', { name: 'Upload the panel' }).click();
    await page.getByText('Uploaded small-panel.csv: 1,811 rows, 43 columns.').waitFor();
    assert.equal(await page.getByLabel('Unit column').inputValue(), 'country');
    assert.equal(await page.getByLabel('Year column').inputValue(), 'year');
    assert.equal(await page.getByLabel('Outcome column').inputValue(), 'mk_onset_2y');
    await page.getByLabel('First forecast year').fill('2017');
    await page.getByLabel('Last forecast year').fill('2019');
    await page.getByRole('button', { name: 'Start the run' }).click();
    await page.getByText(/^Status: (waiting to start|running|finished)/).waitFor();
    assert.match(page.url(), /\/risk\/model\?run=[0-9a-f-]{36}$/);
    await page.getByText('Status: finished').waitFor({ timeout: 300_000 });

    const roc = page.getByRole('img', { name: /ROC curve of the backtest/ });
    const recall = page.getByRole('img', { name: /Recall at k/ });
    await roc.waitFor();
    await recall.waitFor();
    assert.ok(await roc.isVisible());
    assert.ok(await recall.isVisible());
    assert.ok((await page.locator('svg .chart-line').count()) === 2);
    const metrics = page.getByRole('table', { name: /Backtest metrics over \d+ scored rows/ });
    assert.match((await metrics.textContent()) ?? '', /Ensemble \(both models\)/);
    const ranking = page.getByRole('table', { name: /highest risks of 40 units in 2024/ });
    await ranking.waitFor();
    await page.getByRole('heading', { level: 3, name: 'Backtest, forecast years 2017–2019' }).waitFor();
    assert.equal(await ranking.locator('tbody tr').count(), 30);
    assert.match((await ranking.locator('tbody tr').first().textContent()) ?? '', /^1.*%.*[+−]\d\.\d\d/);
    const csv = page.getByRole('link', { name: 'Download forecasts.csv' });
    assert.match(
      (await csv.getAttribute('href')) ?? '',
      /\/api\/v1\/risk\/model\/runs\/[0-9a-f-]+\/forecasts\.csv$/,
    );
    const download = await page.request.get(`${vigil.url}${await csv.getAttribute('href')}`);
    assert.equal(download.status(), 200);
    assert.match(await download.text(), /^unit,time,risk,rank,outcome,risk_elastic_net,risk_boosting\n/);
    // The charts' tables are there for those who cannot see them.
    await page.getByText('Show the ROC curve as a table').click();
    await page.getByRole('table', { name: 'True positive rate at selected false positive rates.' }).waitFor();
    await assertAccessible(page, 'risk model (results)');

    // The run is kept on the server: a reload shows it again.
    await page.reload({ waitUntil: 'networkidle' });
    await page.getByText('Status: finished').waitFor();
    await page.getByRole('img', { name: /ROC curve of the backtest/ }).waitFor();
    await page.getByRole('table', { name: /highest risks of 40 units in 2024/ }).waitFor();
  });

  it('records a stage observation with the form', async () => {
    await page.goto(`${vigil.url}/s/${SLUG}/risk`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 3, name: 'Record an observation of a stage' }).waitFor();
    await page.getByLabel('Stage', { exact: true }).selectOption('denial');
    await page.getByLabel('Observed on').fill('2023-10-02');
    await page.getByLabel('What was observed').fill('Officials call the exodus voluntary departure.');
    await page.getByLabel('Incident it rests on (optional)').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Record the observation' }).click();
    const outcome = page
      .getByText(/^Recorded: Denial/)
      .or(page.locator('form .field-error'))
      .first();
    await outcome.waitFor();
    assert.equal(await outcome.textContent(), 'Recorded: Denial, 2 October 2023.');
    const denial = page.locator('.stage-ladder > li', { hasText: 'Denial' });
    await denial.getByText('Officials call the exodus voluntary departure.').waitFor();
    assert.equal(await denial.getByRole('link', { name: 'incident 1' }).count(), 1);
    await assertAccessible(page, 'risk (stage recorded)');
  });

  it('compares two assessments and shows the indicators that changed', async () => {
    const mark = async (status: string) => {
      await page.getByLabel('Indicator', { exact: true }).selectOption('7.10');
      await page.getByLabel(status, { exact: true }).check();
      await page.getByRole('button', { name: 'Save the mark' }).click();
      await page.getByText(`Indicator 7.10 marked ${status}.`).waitFor();
    };
    await page.getByLabel('Assessed on', { exact: true }).fill('2023-01-10');
    await page.getByLabel('Title (optional)').fill('Early in the blockade');
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await page.getByRole('table', { name: /1 assessment of/ }).waitFor();
    await mark('Present');
    await page.getByLabel('Assessed on', { exact: true }).fill('2023-09-01');
    await page.getByLabel('Title (optional)').fill('Before the offensive');
    await page.getByRole('button', { name: 'Start the assessment' }).click();
    await page.getByRole('table', { name: /2 assessments of/ }).waitFor();
    await mark('Strongly present');

    await page.getByRole('heading', { level: 2, name: 'Compare two assessments' }).waitFor();
    assert.match(await page.getByLabel('Earlier assessment').inputValue(), /^[0-9a-f-]{36}$/);
    await page.getByRole('button', { name: 'Show what changed' }).click();
    await page.getByText('1 indicator changed between 10 January 2023 and 1 September 2023.').waitFor();
    const table = page.getByRole('table', { name: 'Indicators whose status, note or links changed.' });
    const row = table.locator('tbody tr');
    assert.equal(await row.count(), 1);
    assert.match((await row.textContent()) ?? '', /^7\.10PresentStrongly presentstronger/);
    await assertAccessible(page, 'risk (diff)');
  });
});
