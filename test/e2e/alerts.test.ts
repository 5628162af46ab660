// Browser test of the alerts pages against a real `vigil serve` with the built-in scenario and two alerts
// raised beforehand (coverage under 10% and the full closure, evaluated as of days of the blockade): an
// analyst filters the inbox and acknowledges an alert with a note, sees its evidence with sources; creates a
// rule whose invalid parameter is refused on its field, previews it on past data, saves it; subscribes in-app,
// by e-mail digest and by webhook (a loopback URL refused, the signing key shown once); sees the replay on its
// timeline. Every page passes axe (no serious or critical WCAG 2.2 AA violations), requests nothing outside
// 127.0.0.1 and logs no console error beyond the refused requests. Needs `npm run build` and chromium.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createRule, evaluateSituation } from '../../src/alerts/service.ts';
import { createUser } from '../../src/auth/service.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { importScenario } from '../../src/scenario/service.ts';
import { startVigil } from '../support/app.ts';
import {
  assertAccessible,
  assertBrowserTestReady,
  launchChromium,
  type Watch,
  watchedPage,
} from '../support/browser.ts';
import { copyTemplate } from '../support/template.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const ANALYST = 'analyst@example.org';
const PASSWORD = 'a long analyst password';

describe('alerts pages in a browser', { timeout: 300_000 }, () => {
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    assertBrowserTestReady();
    dataDir = copyTemplate();
    // The scenario, an analyst, two rules and their alerts, written before the server opens the database.
    const db = await openPglite(join(dataDir, 'pglite'));
    try {
      await migrate(db);
      await importScenario(db, SLUG);
      const user = await createUser(db, { email: ANALYST, password: PASSWORD, role: 'analyst' });
      const actor = {
        kind: 'user',
        user: { id: user.id, email: ANALYST, role: 'analyst' },
        via: 'token',
      } as const;
      await createRule(db, actor, SLUG, {
        name: 'Coverage under 10% for a week',
        kind: 'lifeline.coverage_below',
        parameters: { threshold: 0.1, minDays: 7 },
        severity: 'critical',
      });
      await createRule(db, actor, SLUG, {
        name: 'Measure status change',
        kind: 'measure.status_change',
        parameters: {},
        severity: 'info',
      });
      await createRule(db, actor, SLUG, {
        name: 'New public report',
        kind: 'reports.pending',
        parameters: {},
        severity: 'warning',
      });
      const raised = await evaluateSituation(db, SLUG, '2023-01-31');
      assert.ok(raised.opened.length >= 1, 'the coverage alert was raised');
      // A report waiting for moderation: its alert holds as of today, whatever the server evaluates.
      await db.query(
        `INSERT INTO public_reports (situation_id, what, location_precision)
         SELECT id, 'A convoy was stopped (browser test)', 'none' FROM situations WHERE slug = $1`,
        [SLUG],
      );
      const pending = await evaluateSituation(db, SLUG, new Date().toISOString().slice(0, 10));
      assert.equal(pending.opened.length, 1, 'the report alert was raised');
    } finally {
      await db.close();
    }
    vigil = await startVigil({ demo: false, dataDir });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(ANALYST);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await vigil?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('filters the inbox, shows evidence with sources, and acknowledges an alert with a note', async () => {
    await page.goto(`${vigil.url}/s/${SLUG}`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { level: 1, name: /^Alerts/ }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Inbox' }).waitFor();
    const inbox = page.getByRole('region', { name: 'Inbox' });
    await page.getByLabel('Severity').selectOption('critical');
    await inbox.getByRole('button', { name: 'Show' }).click();
    await page.getByText('1 alert', { exact: true }).waitFor();
    const card = page.locator('article.alerts-card').first();
    assert.match((await card.locator('h3').textContent()) ?? '', /Coverage of cargo under 10\.0%/);
    await card.getByRole('link', { name: /Lifeline record sup-031/ }).waitFor();
    assert.ok((await card.locator('a[href^="http"]').count()) > 0, 'the evidence links to its sources');
    await assertAccessible(page, 'alerts inbox');

    // The server's own evaluation (as of today) may have resolved the coverage alert by now; the report's holds.
    await page.getByLabel('Severity').selectOption('');
    await page.getByLabel('Status').selectOption('open');
    await inbox.getByRole('button', { name: 'Show' }).click();
    const report = page
      .locator('article.alerts-card')
      .filter({ hasText: 'A new public report awaits moderation' });
    await report.waitFor();
    await report.getByRole('link', { name: /Public report/ }).waitFor();
    assert.equal(
      await report.getByText('A convoy was stopped').count(),
      0,
      'the alert never quotes the report',
    );
    await report.getByLabel('Note').fill('Raised with the moderators (browser test).');
    await report.getByRole('button', { name: 'Acknowledge' }).click();
    // Acknowledged, it leaves the list of open alerts.
    await report.waitFor({ state: 'detached' });
    await page.getByLabel('Status').selectOption('acknowledged');
    await inbox.getByRole('button', { name: 'Show' }).click();
    const acknowledged = page
      .locator('article.alerts-card')
      .filter({ hasText: 'A new public report awaits moderation' });
    await acknowledged.locator('.alerts-status-acknowledged').waitFor();
    await acknowledged.getByText(/Raised with the moderators \(browser test\)\./).waitFor();
    assert.equal(await acknowledged.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    await acknowledged.getByRole('button', { name: 'Resolve' }).waitFor();
  });

  it('creates a rule: an invalid parameter is refused on its field, the preview shows past firings', async () => {
    await page
      .getByRole('navigation', { name: 'Alerts sections' })
      .getByRole('link', { name: 'Rules' })
      .click();
    await page.getByRole('heading', { level: 2, name: 'Rules' }).waitFor();
    await page.getByRole('table', { name: '3 rules' }).waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Coverage under half for a fortnight');
    await page.getByLabel('Kind').selectOption('lifeline.coverage_below');
    await page.getByLabel('Coverage threshold (0–1)').fill('1.5');
    await page.getByLabel('Days, at least').fill('14');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const threshold = page.getByLabel('Coverage threshold (0–1)');
    await page.locator('#alerts-rule-threshold-error').waitFor();
    assert.equal(await threshold.getAttribute('aria-invalid'), 'true');
    assert.match(
      (await page.locator('#alerts-rule-threshold-error').textContent()) ?? '',
      /less or equal to 1/,
    );
    await assertAccessible(page, 'rule editor with an error');

    await threshold.fill('0.5');
    await page.getByRole('button', { name: 'Preview on past data' }).click();
    await page.getByRole('heading', { name: /It would have fired \d+ times?/ }).waitFor();
    assert.ok((await page.locator('.alerts-preview-list > li').count()) >= 1);
    assert.equal(await page.getByRole('table', { name: '3 rules' }).count(), 1, 'a preview stores nothing');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('Rule created.').waitFor();
    const table = page.getByRole('table', { name: '4 rules' });
    await table.getByRole('cell', { name: 'Coverage under half for a fortnight', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disable Coverage under half for a fortnight' }).click();
    await page.getByRole('button', { name: 'Enable Coverage under half for a fortnight' }).waitFor();
    await assertAccessible(page, 'rule editor');
  });

  it('subscribes in-app, by daily e-mail digest and by webhook (refused to loopback, key shown once)', async () => {
    await page
      .getByRole('navigation', { name: 'Alerts sections' })
      .getByRole('link', { name: 'Subscriptions' })
      .click();
    await page.getByRole('heading', { level: 2, name: 'Subscriptions' }).waitFor();
    await page.getByRole('link', { name: 'Atom feed of the public alerts' }).waitFor();
    await page.getByText('You have no subscriptions to this situation.').waitFor();

    await page.getByLabel('In Vigil (notifications)').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('table', { name: '1 subscription' }).waitFor();

    await page.getByLabel('E-mail', { exact: true }).check();
    await page.getByLabel('E-mail address').fill('desk@example.org');
    await page.getByLabel(/daily digest/).check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const table = page.getByRole('table', { name: '2 subscriptions' });
    await table.getByRole('cell', { name: 'Daily digest' }).waitFor();

    await page.getByLabel('Webhook (signed JSON)').check();
    await page.getByLabel('Webhook URL').fill('http://127.0.0.1:9/hook');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('#alerts-sub-target-error').waitFor();
    assert.match(
      (await page.locator('#alerts-sub-target-error').textContent()) ?? '',
      /loopback address: webhooks may only reach public addresses/,
    );
    await page.getByLabel('Webhook URL').fill('https://93.184.216.34/vigil-hook');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const secret = page.getByTestId('webhook-secret');
    await secret.waitFor();
    assert.ok(((await secret.textContent()) ?? '').length >= 40, 'the signing key is shown');
    await page.getByRole('table', { name: '3 subscriptions' }).waitFor();
    await assertAccessible(page, 'subscriptions');
  });

  it('shows the replay on a timeline with the table behind it', async () => {
    await page
      .getByRole('navigation', { name: 'Alerts sections' })
      .getByRole('link', { name: 'Replay' })
      .click();
    await page.getByRole('heading', { level: 2, name: 'Replay' }).waitFor();
    await page.getByRole('img', { name: /Alerts raised from .* one strip per rule/ }).waitFor();
    assert.ok((await page.locator('.alerts-strip .alerts-mark').count()) >= 4, 'alerts are drawn');
    const table = page.getByRole('table', { name: /Alerts a replay from/ });
    const closure = table.getByRole('row').filter({ hasText: 'Full closure of' });
    assert.match((await closure.first().textContent()) ?? '', /15 June 2023/);
    const coverage = table.getByRole('row').filter({ hasText: 'Coverage under 10% for a week' });
    assert.match((await coverage.first().textContent()) ?? '', /18 December 2022/);
    await assertAccessible(page, 'replay');
    assert.deepEqual(watch.outside, [], 'requests outside 127.0.0.1');
    assert.deepEqual(
      watch.errors.filter((e) => !/status of 400/.test(e)),
      [],
      'console errors (the refused rule and webhook answer 400, as they should)',
    );
  });
});
