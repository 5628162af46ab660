// Browser test of the evidence vault's publishable copies and capture queue against a real `vigil serve` with
// the built-in scenario: a documenter uploads a video that carries a location tag (made by the static ffmpeg),
// a PDF with author and GPS metadata and a text file; each item page shows what the public gets (a video
// player on the copy without metadata, the PDF's copy, or why there is none); an anonymous visitor sees the
// copy and never the original; a URL capture of a page on localhost (held back by the test until the
// progress was seen) shows its progress and then lands in the list of recent captures with its attempts,
// next to a capture that failed with its error. Every page passes axe (no serious or critical WCAG 2.2 AA
// violations); nothing is requested outside 127.0.0.1 and no console error is logged.
// Needs the built web app (`npm run build`) and Debian's chromium. With VIGIL_E2E_SCREENSHOTS=DIR the
// pages are also saved there as PNGs, to look at.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
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
import { FIXTURE_LOCATION, ffmpeg, jpegWithGps, pdfWithMetadata, tempDir } from '../support/evidence.ts';
import { copyTemplate } from '../support/template.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const DOCUMENTER = 'documenter@example.org';
const PASSWORD = 'a long enough password';
const VIDEO_TITLE = 'Convoy at the Lachin checkpoint (video)';
const PDF_TITLE = 'Statement of the driver (PDF)';
const TEXT_TITLE = 'Notes of the call (text)';
const SHOTS = process.env.VIGIL_E2E_SCREENSHOTS;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: new RegExp(email) }).waitFor();
}

describe('evidence vault: publishable copies and the capture queue in a browser', {
  timeout: 300_000,
}, () => {
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let dataDir: string;
  let work: string;
  let browser: Browser;
  let documenter: BrowserContext;
  let site: Server;
  let siteUrl: string;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const files = { video: '', pdf: '', text: '' };
  const items = { video: '', pdf: '', text: '' };
  const watch: Watch = { outside: [], errors: [] };

  before(async () => {
    assertBrowserTestReady();
    dataDir = copyTemplate();
    work = tempDir('e2e-evidence');
    const env = { VIGIL_DATA_DIR: dataDir };
    const added = await runVigil(
      ['user', 'add', '--email', DOCUMENTER, '--role', 'documenter', '--password-stdin'],
      { env, input: `${PASSWORD}\n` },
    );
    assert.equal(added.code, 0, added.stderr);
    const keys = await runVigil(['keys', 'init'], { env });
    assert.equal(keys.code, 0, keys.stderr);

    // A phone-like clip: H.264 and AAC (what browsers play), with a location, camera and creation time.
    files.video = join(work, 'checkpoint.mp4');
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-f', 'lavfi', '-i', 'sine=frequency=440'],
      ...['-t', '2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
      ...[
        '-metadata',
        `location=${FIXTURE_LOCATION}`,
        '-metadata',
        'make=TestCam',
        '-metadata',
        'model=Witness X1',
        '-metadata',
        'creation_time=2023-09-19T10:15:00Z',
      ],
      files.video,
    ]);
    files.pdf = join(work, 'statement.pdf');
    writeFileSync(files.pdf, await pdfWithMetadata('The driver says the convoy waited six hours.'));
    files.text = join(work, 'call-notes.txt');
    writeFileSync(files.text, 'Call with the driver, 14:20. He confirms the wait.\n');

    site = createServer((req, res) => {
      if (req.url === '/held.html') {
        // Answered only once the test has seen the capture in progress.
        void held.then(() => {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            '<!doctype html><html lang="en"><head><title>Notice</title></head><body><h1>Notice</h1><p>The crossing is closed until further notice.</p></body></html>',
          );
        });
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not here');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    vigil = await startVigil({ demo: true, dataDir, env: { VIGIL_CAPTURE_ALLOW_PRIVATE: '1' } });
    browser = await launchChromium();
    documenter = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    release();
    await documenter?.close();
    await browser?.close();
    await vigil?.stop();
    await new Promise((resolve) => site?.close(resolve));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('uploads a video, a PDF and a text file; each item page shows its publishable copy or why there is none', async () => {
    const page = await watchedPage(documenter, watch);
    await signIn(page, vigil.url, DOCUMENTER);
    const published = await page.request.get(
      `${vigil.url}/api/v1/situations/${SLUG}/incidents?status=published&limit=1`,
    );
    const incidentId: string = (await published.json()).items[0].id;

    const upload = async (file: string, title: string, linked: boolean): Promise<string> => {
      await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
      const form = page.locator('section', {
        has: page.getByRole('heading', { level: 2, name: 'Add evidence' }),
      });
      await form.getByLabel('File').setInputFiles(file);
      await form.getByLabel('Title (optional)').fill(title);
      if (linked) await form.getByLabel('Link to an incident (optional)').selectOption(incidentId);
      await form.getByRole('button', { name: 'Upload and seal' }).click();
      await form.getByText(/is sealed as a new item:/).waitFor({ timeout: 60_000 });
      await form.getByRole('link', { name: title }).click();
      await page.getByRole('heading', { level: 1, name: title }).waitFor();
      return page.url().split('/items/')[1]!;
    };

    items.video = await upload(files.video, VIDEO_TITLE, true);
    const player = page.getByRole('figure').locator('video');
    await player.waitFor();
    assert.equal(
      await player.getAttribute('aria-label'),
      `Publishable copy of ${VIDEO_TITLE} (video, without location or device metadata)`,
    );
    assert.match(
      (await player.getAttribute('src')) ?? '',
      new RegExp(`/api/v1/items/${items.video}/publishable$`),
    );
    // The browser really plays the copy: its duration is read from the remuxed file.
    await page.waitForFunction(
      () => (document.querySelector('figure video') as HTMLVideoElement).readyState >= 1,
    );
    const duration = await player.evaluate((v) => (v as HTMLVideoElement).duration);
    assert.ok(duration > 1.5 && duration < 2.5, `duration ${duration}`);
    await page.getByText('Publishable copy (remuxed by ffmpeg, all metadata removed).').waitFor();
    // The sealed original keeps what the camera wrote; the copy served to the player does not.
    const copy = Buffer.from(
      await (await page.request.get(`${vigil.url}/api/v1/items/${items.video}/publishable`)).body(),
    );
    assert.ok(
      !copy.includes(FIXTURE_LOCATION.slice(0, 8)) && !copy.includes('TestCam'),
      'no location in the copy',
    );
    await page.getByRole('link', { name: 'Download the sealed original' }).waitFor();
    // The original's own metadata stays with it, for readers of sealed material only.
    await page.getByText('2023-09-19T10:15:00Z').waitFor();
    await page.getByText(/^Show the \d+ metadata fields read from the original$/).click();
    const restricted = page.getByRole('table', { name: 'Metadata of the original, as written in the file' });
    await restricted
      .getByRole('row', { name: new RegExp(`^location ${FIXTURE_LOCATION.replace(/[+]/g, '\\+')}`) })
      .waitFor();
    await assertAccessible(page, 'item (video)');
    await shot(page, 'item-video-documenter');

    items.pdf = await upload(files.pdf, PDF_TITLE, true);
    await page.getByText('Publishable copy (no preview)').waitFor();
    await page
      .getByText(
        'Publishable copy (rewritten without Info dictionary, XMP metadata, embedded files or image EXIF).',
      )
      .waitFor();
    await page.getByRole('link', { name: 'Open it full size' }).waitFor();
    await assertAccessible(page, 'item (PDF)');
    await shot(page, 'item-pdf-documenter');

    items.text = await upload(files.text, TEXT_TITLE, true);
    await page
      .getByText(
        /^Shown only to those who may see sealed originals: no publishable copy: Vigil cannot remove metadata from text\/plain files/,
      )
      .waitFor();
    await assertAccessible(page, 'item (no copy)');
    await page.close();
  });

  it('shows an anonymous visitor the copy and never the original', async () => {
    const anonymous = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await watchedPage(anonymous, watch);
    await page.goto(`${vigil.url}/items/${items.video}`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: VIDEO_TITLE }).waitFor();
    const player = page.getByRole('figure').locator('video');
    assert.match((await player.getAttribute('src')) ?? '', /\/publishable$/);
    await page.getByText(/^The sealed original, its hash and metadata/).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Download the sealed original' }).count(), 0);
    assert.equal(await page.locator('.hash').count(), 0, 'no hash of the original');
    assert.equal((await page.request.get(`${vigil.url}/api/v1/items/${items.video}/original`)).status(), 401);
    assert.equal(
      (await page.request.get(`${vigil.url}/api/v1/items/${items.video}/publishable`)).status(),
      200,
    );
    await assertAccessible(page, 'item (anonymous)');
    await shot(page, 'item-video-anonymous');

    // The gallery lists the copies; the text file, which has none, is not shown at all.
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    const gallery = page.getByRole('list', { name: 'Evidence items' });
    await gallery.getByRole('link', { name: VIDEO_TITLE }).waitFor();
    await gallery.getByRole('link', { name: PDF_TITLE }).waitFor();
    assert.equal(await gallery.getByRole('link', { name: TEXT_TITLE }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Recent captures' }).count(), 0);
    await assertAccessible(page, 'evidence (anonymous)');
    await shot(page, 'evidence-anonymous');
    // Nor is the item itself (asked through the API: a page answering 404 would log a console error).
    assert.equal((await page.request.get(`${vigil.url}/api/v1/items/${items.text}`)).status(), 404);
    await anonymous.close();
  });

  it('shows a capture’s progress, then its attempts and outcome in the list of recent captures', async () => {
    const page = await watchedPage(documenter, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/evidence`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 2, name: 'Recent captures' }).waitFor();
    await page.getByText('No page has been captured in this situation yet.').waitFor();
    const form = page.locator('section', {
      has: page.getByRole('heading', { level: 2, name: 'Capture a web page' }),
    });
    await form.getByLabel('Address of the page').fill(`${siteUrl}/held.html`);
    await form.getByRole('button', { name: 'Capture the page' }).click();

    // The page is held back: the capture is running and says so, in the form and in the list.
    await form.getByRole('progressbar', { name: /^Capturing: / }).waitFor();
    await page.getByRole('table', { name: 'The latest capture of this situation' }).waitFor();
    const row = page.locator('table.capture-jobs tbody tr', { hasText: 'held.html' });
    await row.getByText('Running').waitFor();
    assert.match((await row.textContent()) ?? '', new RegExp(`${siteUrl}/held\\.html`));
    assert.match((await row.textContent()) ?? '', /1 of 3/);
    await row.getByRole('progressbar').waitFor();
    await assertAccessible(page, 'evidence (capture running)');
    await shot(page, 'evidence-capture-running');
    release();

    await form.getByText(/^Captured http:\/\/127\.0\.0\.1/).waitFor({ timeout: 120_000 });
    await row.getByText('Captured').waitFor();
    assert.match((await row.textContent()) ?? '', /1 of 3/);
    await row.getByRole('link', { name: /parts? sealed: open the record/ }).waitFor();

    // A page that answers 404: the capture fails, stores nothing, and the list says why.
    await form.getByLabel('Address of the page').fill(`${siteUrl}/gone.html`);
    await form.getByRole('button', { name: 'Capture the page' }).click();
    await form.getByText(/^The capture failed and stored nothing: /).waitFor({ timeout: 60_000 });
    const both = page.getByRole('table', { name: 'The 2 latest captures of this situation, newest first' });
    await both.waitFor();
    const failed = both.locator('tbody tr').first(); // newest first
    await failed.getByText('Failed').waitFor();
    assert.match((await failed.textContent()) ?? '', /gone\.html answered 404/);
    await assertAccessible(page, 'evidence (captures listed)');
    await shot(page, 'evidence-documenter');

    await row.getByRole('link', { name: /parts? sealed: open the record/ }).click();
    await page.getByRole('heading', { level: 1, name: /^Capture record/ }).waitFor();
    await shot(page, 'item-capture-record');
    // A witness's report with a photo, sent without an account, waits in the moderation queue.
    const report = new FormData();
    report.set('what', 'The convoy waited six hours at the checkpoint.');
    report.set('place', 'Lachin checkpoint');
    report.set(
      'file',
      new Blob([new Uint8Array(await jpegWithGps())], { type: 'image/jpeg' }),
      'checkpoint.jpg',
    );
    const sent = await fetch(`${vigil.url}/api/v1/situations/${SLUG}/reports`, {
      method: 'POST',
      body: report,
    });
    assert.equal(sent.status, 201, await sent.text());
    await page.goto(`${vigil.url}/s/${SLUG}/reports`, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Reports from the public' }).waitFor();
    await page.getByRole('link', { name: 'The convoy waited six hours at the checkpoint.' }).waitFor();
    await assertAccessible(page, 'reports');
    await shot(page, 'reports');
    await page.close();
  });

  it('requested nothing outside the machine and logged no console error', () => {
    assert.deepEqual(watch.outside, []);
    assert.deepEqual(watch.errors, []);
  });
});
