// What every browser test shares: Debian's chromium, the built web app, pages that record requests
// leaving 127.0.0.1 and console errors, and an axe check that fails on serious or critical violations.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const WEB_DIST = new URL('../../web/dist/index.html', import.meta.url).pathname;
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

/** Fails early, with what to do, when the built web app or Debian's chromium is missing. */
export function assertBrowserTestReady(): void {
  assert.ok(existsSync(WEB_DIST), 'web/dist is missing: run `npm run build` before this test');
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium`);
}

/** Debian's chromium, headless, with the flags that keep it from reaching outside the machine. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Watch {
  outside: string[];
  errors: string[];
}

/** Opens a page that records requests leaving 127.0.0.1 and console errors. */
export async function watchedPage(context: BrowserContext, watch: Watch): Promise<Page> {
  const page = await context.newPage();
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).hostname !== '127.0.0.1') watch.outside.push(url);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => watch.errors.push(`${page.url()}: ${err.message}`));
  return page;
}

/** Runs axe on the page as it is and fails on serious or critical violations, printing them. */
export async function assertAccessible(page: Page, name: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of bad) {
    console.error(`axe ${name}: [${v.impact}] ${v.id}: ${v.help}`);
    for (const n of v.nodes.slice(0, 5))
      console.error(`    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`);
  }
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.nodes.length})`),
    [],
    `${name}: serious or critical accessibility violations`,
  );
}
