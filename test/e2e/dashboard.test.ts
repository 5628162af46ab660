// Browser test of the web app against a real `vigil serve` with the built-in scenario: the dashboard draws
// its map and timeline, the incident search works from the keyboard alone, every page passes axe (no serious
// or critical WCAG 2.2 AA violations), nothing is requested from outside 127.0.0.1, and no console errors.
// Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startVigil } from '../support/app.ts';
import {
  assertAccessible,
  assertBrowserTestReady,
  launchChromium,
  type Watch,
  watchedPage,
} from '../support/browser.ts';

const SLUG = 'nagorno-karabakh-2022-23';

/** Presses Tab until the focused element matches the selector; returns how many presses it took. */
async function tabTo(page: Page, selector: string, max = 60): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);
    if (hit) return i;
  }
  throw new Error(`no element matching ${selector} reached within ${max} Tab presses`);
}

describe('web app in a browser', { timeout: 180_000 }, () => {
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let browser: Browser;
  let context: BrowserContext;
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    assertBrowserTestReady();
    vigil = await startVigil({ demo: true });
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await vigil?.stop();
  });

  it('lists the situations', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Situations' }).waitFor();
    const link = page.locator(`a[href="/s/${SLUG}"]`).first();
    assert.ok(await link.isVisible(), 'the scenario situation is listed');
    await assertAccessible(page, 'situations list');
    await page.close();
  });

  it('draws the dashboard map and timeline, then finds and opens an incident by keyboard', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/s/${SLUG}`, { waitUntil: 'networkidle' });
    await page.locator('.timeline-items a').first().waitFor();
    await page.locator('.leaflet-marker-icon').first().waitFor();

    const markers = await page.locator('.leaflet-marker-icon').count();
    assert.ok(markers > 0, 'map shows incident markers or clusters');
    const entries = await page.locator('.timeline-items a').count();
    assert.ok(entries > 0, 'timeline shows incidents');
    const rows = await page.locator('#incident-table tbody tr').count();
    assert.equal(entries, rows, 'the table behind the timeline lists the same incidents');
    const name = await page.locator('.timeline-items a').first().textContent();
    assert.match(name ?? '', / — /, 'timeline entries are named "date — title"');
    await assertAccessible(page, 'dashboard');

    // Go to Incidents, search with the keyboard.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, 'incidents list');

    await tabTo(page, 'input[type="search"]');
    await page.keyboard.type('Lachin');
    await page.keyboard.press('Enter');
    await page.waitForURL(/[?&]q=Lachin/);
    await page.locator('.result-count', { hasText: 'Lachin' }).waitFor();
    await page.locator('.data-table tbody tr').first().waitFor();
    const results = await page.locator('.data-table tbody tr').count();
    assert.ok(results > 0, 'the search finds incidents');

    // Keyboard only from here: Tab to the first result's link and open it with Enter.
    await tabTo(page, '.data-table tbody a');
    const title = (await page.evaluate(() => document.activeElement?.textContent ?? '')).trim();
    assert.ok(title.length > 0, 'a result link has focus');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/incidents\/[^/]+$/);
    const h1 = page.getByRole('heading', { level: 1 });
    await h1.waitFor();
    assert.equal((await h1.textContent())?.trim(), title, 'the incident page shows the incident opened');
    const sources = page.locator('ol.sources a[href^="http"]');
    await sources.first().waitFor();
    assert.ok((await sources.count()) > 0, 'the incident page links at least one source');
    await page.waitForLoadState('networkidle');
    await assertAccessible(page, 'incident page');
    await page.close();
  });

  it('shows the sign-in form, the account page when signed out and the 404 page', async () => {
    const page = await watchedPage(context, watch);
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').waitFor();
    await page.getByLabel('Password').waitFor();
    // No administrator exists on this server yet: the page says how to create the first one.
    await page.getByText('vigil user add --email you@example.org --role admin').waitFor();
    await assertAccessible(page, 'login');

    await page.goto(`${vigil.url}/account`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Your account' }).waitFor();
    await assertAccessible(page, 'account (signed out)');

    await page.goto(`${vigil.url}/no/such/page`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    await assertAccessible(page, '404');
    await page.close();
  });

  it('requested nothing outside 127.0.0.1 and logged no console errors', () => {
    assert.deepEqual(watch.outside, [], 'requests left the machine');
    assert.deepEqual(watch.errors, [], 'console errors');
  });
});
