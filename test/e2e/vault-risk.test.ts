// Browser test of the evidence vault's remaining pages and the risk page against a real `vigil serve` with the
// built-in scenario: a witness sends two reports through the public form; a documenter rejects one and merges
// the other into a new incident from the moderation queue, finds that incident with the situation search,
// captures a page served by a local HTTP server (private addresses allowed for the test) and downloads an export
// bundle (a ZIP); the risk page renders for anonymous readers (the stage ladder, no assessment yet), and an
// analyst starts an assessment and marks an indicator by keyboard. Every new page passes axe (no serious or
// critical WCAG 2.2 AA violations); nothing is requested outside 127.0.0.1 and no console error is logged.
// Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { runVigil, startVigil } from '../support/app.ts';
import {
  assertAccessible,
  assertBrowserTestReady,
  launchChromium,
  type Watch,
  watchedPage,
} from '../support/browser.ts';
import { copyTemplate } from '../support/template.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const DOCUMENTER = 'documenter@example.org';
const ANALYST = 'analyst@example.org';
const PASSWORD = 'a long enough password';
const REJECTED = 'Spam about a lottery win, nothing to do with the corridor';
const MERGED = 'Quokkaridge checkpoint: the bread truck was turned back at dawn';
const CAPTURED_WORD = 'Wombatvale';

async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: new RegExp(email) }).waitFor();
}

describe('evidence vault and risk pages in a browser', { timeout: 300_000 }, () => {
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let dataDir: string;
  let browser: Browser;
  let documenter: BrowserContext;
  let site: Server;
  let siteUrl: string;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    assertBrowserTestReady();
    dataDir = copyTemplate();
    const env = { VIGIL_DATA_DIR: dataDir };
    for (const [email, role] of [
      [DOCUMENTER, 'documenter'],
      [ANALYST, 'analyst'],
    ] as const) {
      const added = await runVigil(['user', 'add', '--email', email, '--role', role, '--password-stdin'], {
        env,
        input: `${PASSWORD}\n`,
      });
      assert.equal(added.code, 0, added.stderr);
    }
    const keys = await runVigil(['keys', 'init'], { env });
    assert.equal(keys.code, 0, keys.stderr);
    site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><head><title>Statement</title></head><body><h1>Statement</h1><p>${CAPTURED_WORD} crossing closed today.</p></body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/statement.html`;
    vigil = await startVigil({ demo: true, dataDir, env: { VIGIL_CAPTURE_ALLOW_PRIVATE: '1' } });
    browser = await launchChromium();
    documenter = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await documenter?.close();
    await browser?.close();
    await vigil?.stop();
    await new Promise((resolve) => site?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lets a documenter reject one public report and merge another into a new incident', async () => {
    const witness = await browser.newContext();
    const form = await watchedPage(witness, watch);
    for (const what of [REJECTED, MERGED]) {
      await form.goto(`${vigil.url}/s/${SLUG}/report`, { waitUntil: 'networkidle' });
      await form.getByLabel('What happened').fill(what);
      await form.getByRole('button', { name: 'Send the report' }).click();
      await form.getByText('Thank you. Your report was received').waitFor();
    }
    await witness.close();

    const page = await watchedPage(documenter, watch);
    await signIn(page, vigil.url, DOCUMENTER);
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    await page.getByRole('link', { name: 'Reports from the public' }).click();
    await page.getByRole('heading', { level: 1, name: 'Reports from the public' }).waitFor();
    const queue = page.getByRole('table', { name: /reports? from the public\./ });
    await queue.waitFor();
    assert.equal(await queue.locator('tbody tr').count(), 2);
    await assertAccessible(page, 'moderation queue');

    await queue.getByRole('link', { name: REJECTED }).click();
    await page.getByRole('heading', { level: 1, name: 'Report from the public' }).waitFor();
    await page.locator('code.hash').first().waitFor();
    assert.match((await page.locator('code.hash').first().textContent()) ?? '', /^[0-9a-f]{64}$/);
    await assertAccessible(page, 'report review');
    await page.getByLabel('Reject, with a reason').check();
    await page.getByLabel('Reason', { exact: true }).fill('Not about this situation.');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText(/^Rejected, by /).waitFor();

    await page.getByRole('link', { name: 'Reports from the public' }).click();
    await queue.getByRole('link', { name: MERGED }).click();
    await page.getByRole('heading', { level: 1, name: 'Report from the public' }).waitFor();
    await page.getByLabel('Merge into a new incident').check();
    await page
      .getByLabel('Title of the new incident (optional)')
      .fill('Quokkaridge checkpoint turns back bread truck');
    await page.getByRole('button', { name: 'Record the decision' }).click();
    await page.getByText(/^Merged into an incident, by /).waitFor();
    await page.getByRole('link', { name: 'Open the incident' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Quokkaridge checkpoint turns back bread truck' })
      .waitFor();

    await page.goto(`${vigil.url}/s/${SLUG}/reports?status=all`, { waitUntil: 'networkidle' });
    await page.getByText('2 reports from the public.').waitFor();
    await page.goto(`${vigil.url}/s/${SLUG}/reports`, { waitUntil: 'networkidle' });
    await page.getByText('No reports in this list.').waitFor();
    await page.close();
  });

  it('finds the merged incident with the situation search', async () => {
    const page = await watchedPage(documenter, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    await page.getByLabel('Search this situation').fill('Quokkaridge');
    await page.getByLabel('Search this situation').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Search' }).waitFor();
    await page.getByRole('heading', { level: 2, name: /results? for “Quokkaridge”/ }).waitFor();
    const hit = page.locator('.search-hit', { hasText: 'Incident' }).first();
    await hit.locator('mark', { hasText: 'Quokkaridge' }).first().waitFor();
    await assertAccessible(page, 'search');
    await hit.getByRole('link', { name: 'Quokkaridge checkpoint turns back bread truck' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Quokkaridge checkpoint turns back bread truck' })
      .waitFor();
    await page.close();
  });

  it('captures a web page and exports a bundle', async () => {
    const page = await watchedPage(documenter, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 2, name: 'Capture a web page' }).waitFor();
    await page.getByLabel('Address of the page').fill(siteUrl);
    await page.getByRole('button', { name: 'Capture the page' }).click();
    await page.getByText(/^Captured http:\/\/127\.0\.0\.1/).waitFor({ timeout: 120_000 });
    const parts = page.locator('.capture-parts');
    await parts.getByRole('link', { name: 'Response as received' }).waitFor();
    await parts.getByRole('link', { name: /^Capture record/ }).waitFor();
    await assertAccessible(page, 'evidence (capture and export)');

    await page.getByText('VERIFY.txt inside tells a clerk how to check it').waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.getByRole('button', { name: 'Export bundle' }).click(),
    ]);
    const file = await download.path();
    const bytes = readFileSync(file);
    assert.ok(bytes.length > 0, 'the bundle is not empty');
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'the bundle is a ZIP');
    assert.match(download.suggestedFilename(), /\.zip$/);
    await page.getByText(/^Saved .+\.zip/).waitFor();

    await page.getByLabel('Search this situation').fill(CAPTURED_WORD);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('.search-hit', { hasText: 'Captured page text' }).first().waitFor();
    await page.close();
  });

  it('shows the risk page to anonymous readers', async () => {
    const anonymous = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await watchedPage(anonymous, watch);
    await page.goto(`${vigil.url}/s/${SLUG}`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Risk' }).click();
    await page.getByRole('heading', { level: 1, name: 'Risk' }).waitFor();
    await page.getByText('No assessment has been made for this situation yet.').waitFor();
    await page.locator('.stage-ladder > li').nth(9).waitFor();
    assert.equal(await page.locator('.stage-ladder > li').count(), 10);
    await page.getByRole('heading', { level: 2, name: 'Suggestions waiting for a decision' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Accept' }).count(), 0, 'no decisions for anonymous');
    assert.equal(await page.getByRole('heading', { name: 'Assess' }).count(), 0);
    await assertAccessible(page, 'risk (anonymous)');
    await anonymous.close();
  });

  it('lets an analyst start an assessment and mark an indicator by keyboard', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await watchedPage(context, watch);
    await signIn(page, vigil.url, ANALYST);
    await page.goto(`${vigil.url}/s/${SLUG}/risk`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 3, name: 'Start an assessment' }).waitFor();
    await page.getByLabel('Assessed on', { exact: true }).fill('2023-09-01');
    await page.getByLabel('Title (optional)').fill('Before the offensive');
    await page.getByLabel('Title (optional)').press('Enter');
    const table = page.getByRole('table', { name: /1 assessment of/ });
    await table.waitFor();
    assert.match((await table.textContent()) ?? '', /Before the offensive/);
    await page.getByRole('img', { name: /Heat map of 14 risk factors across 1 assessments/ }).waitFor();
    await assertAccessible(page, 'risk (analyst)');

    await page.getByLabel('Indicator', { exact: true }).focus();
    await page.getByLabel('Indicator', { exact: true }).selectOption('7.10');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByLabel('Strongly present', { exact: true }).isChecked(), true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('According to the lifeline: deliveries far below needs.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Indicator 7.10 marked Strongly present.').waitFor();
    await page.locator('.heat-cell.level-strongly-present').first().waitFor();
    const row = page.locator('#heatmap-table tbody tr', { hasText: /^7\./ });
    assert.match((await row.textContent()) ?? '', /Strongly present/);
    const report = page.getByRole('link', { name: /^Report of 1 September 2023/ });
    assert.match((await report.getAttribute('href')) ?? '', /\/assessments\/[0-9a-f-]+\/report$/);
    await assertAccessible(page, 'risk (after marking)');

    await page.getByRole('button', { name: 'Ask the other modules for new suggestions' }).click();
    await page.getByText(/^\d+ new suggestions\.$/).waitFor();
    const accept = page.getByRole('button', { name: 'Accept into the assessment of 1 September 2023' });
    await accept.first().waitFor();
    const before = await accept.count();
    assert.ok(before > 0, 'the lifeline suggests indicators');
    await accept.first().click();
    await page.waitForFunction((n) => document.querySelectorAll('.suggestion').length === n - 1, before);
    await page.getByRole('button', { name: 'Reject' }).first().click();
    await page.waitForFunction((n) => document.querySelectorAll('.suggestion').length === n - 2, before);
    await context.close();
  });

  it('requested nothing outside the machine and logged no console error', () => {
    assert.deepEqual(watch.outside, []);
    assert.deepEqual(watch.errors, []);
  });
});
