// Browser test of the campaigns UI against a real `vigil serve` (built-in scenario, bundled US directory,
// the shipped fictional "XX" officials) with a real SMTP server on localhost:
// - the supporter's action centre: find their officials by state and district; write to an official by
//   e-mail (warned that the template is unchanged, then confirming through the mailed link; the letter
//   reaches the official's address with Reply-To the supporter); prepare a letter for a contact form and a
//   printable postal letter (the PDF's text is read back); call with the script, record the outcome; sign
//   the petition, confirm it from the e-mail, see the public count; answer "did they reply?";
// - the organiser's campaign page: actions taken, replies over time, targets with positions; recording a
//   position changes the call script supporters see.
// Every page passes axe (no serious or critical WCAG 2.2 AA violation), requests nothing outside
// 127.0.0.1 and logs no console error. Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { extractText, getDocumentProxy } from 'unpdf';
import { signToken } from '../../src/campaigns/tokens.ts';
import { runVigil, startVigil } from '../support/app.ts';
import {
  assertAccessible,
  assertBrowserTestReady,
  launchChromium,
  type Watch,
  watchedPage,
} from '../support/browser.ts';
import { type SmtpReceiver, startSmtpReceiver } from '../support/smtp.ts';
import { copyTemplate } from '../support/template.ts';

const SLUG = 'nagorno-karabakh-2022-23';
const ORGANISER = 'organiser@example.org';
const PASSWORD = 'a long organiser password';
const EXAMPLE = new URL('../../datasets/officials-example/officials-xx.yaml', import.meta.url).pathname;

interface Mail {
  to: string[];
  text: string;
}

/** Unfolds headers and decodes quoted-printable, enough to read links and headers. */
const readable = (raw: string) =>
  raw
    .replace(/\r\n[ \t]+/g, ' ')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));

describe('campaigns in a browser', { timeout: 300_000 }, () => {
  let vigil: Awaited<ReturnType<typeof startVigil>>;
  let dataDir: string;
  let browser: Browser;
  let supporter: BrowserContext;
  let organiser: BrowserContext;
  const watch: Watch = { outside: [], errors: [] };
  let smtp: SmtpReceiver;

  /** Waits for the outbox worker (every 5 s) to deliver a message matching `test`. */
  async function mailTo(address: string, test: RegExp): Promise<Mail> {
    for (let i = 0; i < 120; i++) {
      const mails = smtp.messages.map((m): Mail => ({ to: m.to, text: readable(m.text) }));
      const found = mails.find((m) => m.to.includes(address) && test.test(m.text));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.fail(
      `no mail to ${address} matching ${test} (got ${smtp.messages.map((m) => m.to.join()).join('; ')})`,
    );
  }

  const api = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const res = await fetch(`${vigil.url}/api/v1${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  before(async () => {
    assertBrowserTestReady();
    smtp = await startSmtpReceiver();
    dataDir = copyTemplate();
    const env = { VIGIL_DATA_DIR: dataDir, DATABASE_URL: '' };
    const added = await runVigil(
      ['user', 'add', '--email', ORGANISER, '--role', 'organiser', '--password-stdin'],
      { env, input: `${PASSWORD}\n` },
    );
    assert.equal(added.code, 0, added.stderr);
    const token = await runVigil(['token', 'create', '--email', ORGANISER, '--name', 'e2e'], { env });
    assert.equal(token.code, 0, token.stderr);
    const imported = await runVigil(['officials', 'import', EXAMPLE, '--country', 'XX'], { env });
    assert.equal(imported.code, 0, imported.stderr);
    vigil = await startVigil({
      demo: true,
      dataDir,
      env: { VIGIL_SMTP_URL: smtp.url, VIGIL_MAIL_FROM: 'Vigil campaigns <campaigns@vigil.test>' },
    });
    const bearer = token.stdout.trim();
    const ids: string[] = [];
    for (const external of ['xx-mfa', 'xx-mp-south-2']) {
      const found = await api(`/officials/${external}`);
      assert.equal(found.status, 200);
      ids.push(found.body.id as string);
    }
    const created = await api(`/situations/${SLUG}/campaigns`, {
      method: 'POST',
      token: bearer,
      body: JSON.stringify({
        slug: 'sanction-blockade',
        title: 'Sanction those responsible for the blockade',
        ask: 'sanction the officials responsible for the blockade of the Lachin corridor',
        targetRules: [{ committee: 'SSFR' }, { delegation: true }],
        targetOfficials: ids,
        letterSubject: 'From a constituent in {{supporter.region}}',
        letterTemplate:
          'Dear {{official.title}} {{official.family_name}},\n\nPlease {{campaign.ask}}.\n\nYours sincerely,\n{{supporter.name}}',
        callScripts: {
          default: 'Hello, I am calling to ask {{official.name}} to {{campaign.ask}}.',
          supports: 'Hello, I am calling to thank {{official.name}} for supporting sanctions.',
          committee: 'As a member of {{official.committees}}, they can act first.',
        },
        petitionText: 'We ask the United States Senate to sanction those responsible for the blockade.',
      }),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    browser = await launchChromium();
    supporter = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    organiser = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await supporter?.close();
    await organiser?.close();
    await browser?.close();
    await vigil?.stop();
    await smtp?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    assert.deepEqual(watch.outside, [], 'no request leaves 127.0.0.1');
    assert.deepEqual(watch.errors, [], 'no console errors');
  });

  const card = (page: Page, name: string) =>
    page.locator('li.campaign-target').filter({ has: page.getByRole('heading', { name, exact: true }) });

  async function openActionCentre(page: Page) {
    await page.goto(`${vigil.url}/s/${SLUG}`, { waitUntil: 'networkidle' });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('heading', { level: 1, name: 'Campaigns' }).waitFor();
    await assertAccessible(page, 'campaigns list');
    await page.getByRole('link', { name: 'Sanction those responsible for the blockade' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Sanction those responsible for the blockade' })
      .waitFor();
    await page.getByLabel('Your state').selectOption('WA');
    await page.getByLabel('Your congressional district').fill('7');
    await page.getByRole('button', { name: 'Find my officials' }).click();
    await card(page, 'Pramila Jayapal').waitFor();
  }

  it('finds the supporter’s officials and e-mails a letter on their behalf after a warning and a confirmation', async () => {
    const page = await watchedPage(supporter, watch);
    await openActionCentre(page);
    assert.match((await card(page, 'Maria Cantwell').textContent()) ?? '', /your delegation/);
    assert.match((await card(page, 'Bruno Sample').textContent()) ?? '', /chosen by hand/);
    await assertAccessible(page, 'action centre');

    const bruno = card(page, 'Bruno Sample');
    await bruno.getByRole('button', { name: 'Write to Bruno Sample' }).click();
    await bruno.getByLabel('Your name').fill('Sam Supporter');
    await bruno.getByLabel('Your e-mail address').fill('sam@example.org');
    // The signature follows the name typed (merge field), the template is otherwise unchanged.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('textarea')].some((t) => t.value.endsWith('Sam Supporter')),
    );
    await bruno.getByRole('button', { name: 'Send my letter' }).click();
    await bruno.getByRole('alert').filter({ hasText: 'template unchanged' }).waitFor();
    await assertAccessible(page, 'letter warning');
    await bruno.getByRole('button', { name: 'Send it unchanged' }).click();
    await bruno.getByText('Almost done: we sent a link to sam@example.org').waitFor();

    const confirmation = await mailTo('sam@example.org', /Confirm your letter to Bruno Sample/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/confirm-letter\?token=\S+)/.exec(confirmation.text)![1]!;
    await page.goto(link, { waitUntil: 'networkidle' });
    await page.getByRole('heading', { level: 1, name: 'Confirm your letter' }).waitFor();
    await assertAccessible(page, 'confirm letter');
    await page.getByRole('button', { name: 'Confirm my letter' }).click();
    await page.getByText('your letter to Bruno Sample is on its way').waitFor();

    const letter = await mailTo('minister@mfa.examplia.example', /Subject: From a constituent in WA/);
    assert.match(letter.text, /^From: "Sam Supporter via Vigil campaign .*" <campaigns@vigil\.test>/m);
    assert.match(letter.text, /^Reply-To: sam@example\.org/m);
    assert.match(letter.text, /Dear Minister of Foreign Affairs Sample,/);

    // Two weeks later the supporter is asked; the test signs that link with the server's own key.
    const confirmToken = decodeURIComponent(/token=(\S+)/.exec(link)![1]!);
    const letterId = (
      JSON.parse(Buffer.from(confirmToken.split('.')[0]!, 'base64url').toString()) as string[]
    )[1]!;
    const secret = Buffer.from(
      readFileSync(join(dataDir, 'keys', 'campaign-hmac.key'), 'utf8').trim(),
      'hex',
    );
    const replyToken = signToken(secret, {
      purpose: 'letter-reply',
      subject: letterId,
      expires: Date.now() + 86_400_000,
    });
    await page.goto(`${vigil.url}/letter-reply?token=${encodeURIComponent(replyToken)}`, {
      waitUntil: 'networkidle',
    });
    await page.getByRole('heading', { level: 1, name: 'Did they reply?' }).waitFor();
    await page.getByText('you wrote to Bruno Sample').waitFor();
    await page.getByLabel('Yes, they replied').check();
    await page.getByLabel('What did the reply say of their position?').selectOption('supports');
    await assertAccessible(page, 'reply question');
    await page.getByRole('button', { name: 'Send my answer' }).click();
    await page.getByText('Thank you: your answer is counted.').waitFor();
    await page.close();
  });

  it('prepares letters for a contact form and by post (a PDF), and records a call', async () => {
    const page = await watchedPage(supporter, watch);
    await openActionCentre(page);
    const cantwell = card(page, 'Maria Cantwell');
    await cantwell.getByRole('button', { name: 'Write to Maria Cantwell' }).click();
    await cantwell.getByLabel('Your name').fill('Kim Example');
    const letter = cantwell.getByLabel('Letter', { exact: true });
    await letter.fill(
      'Dear Senator Cantwell,\n\nMy grandparents lived in Stepanakert. Please press for sanctions now.\n\nKim Example',
    );
    await cantwell.getByRole('button', { name: 'My letter is ready' }).click();
    const form = cantwell.getByRole('link', { name: 'Open the contact form' });
    await form.waitFor();
    assert.equal(
      await form.getAttribute('href'),
      'https://www.cantwell.senate.gov/public/index.cfm/email-maria',
    );
    assert.match(
      await cantwell.getByLabel('Your letter, ready to copy').inputValue(),
      /grandparents lived in Stepanakert/,
    );
    await assertAccessible(page, 'contact form letter');

    const dario = card(page, 'Dario Mockley');
    await dario.getByRole('button', { name: 'Write to Dario Mockley' }).click();
    await dario.getByLabel('Your name').fill('Kim Example');
    await dario
      .getByLabel('Letter', { exact: true })
      .fill('Dear Mr Mockley,\n\nPlease raise the blockade in committee.\n\nKim Example');
    await dario.getByRole('button', { name: 'My letter is ready' }).click();
    await dario.getByText('Print your letter and post it to:').waitFor();
    await dario.getByLabel('Your postal address (optional)').fill('12 Pine Street\nSeattle WA 98101');
    await dario.getByRole('button', { name: 'Make the printable letter (PDF)' }).click();
    const download = page.waitForEvent('download');
    await dario.getByRole('link', { name: 'Download the letter (PDF)' }).click();
    const file = await (await download).path();
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(readFileSync(file))), {
      mergePages: true,
    });
    for (const expected of [
      'Kim Example',
      '12 Pine Street',
      'Dario Mockley',
      'Parliament House, Office 214',
      'raise the blockade',
    ])
      assert.ok(text.includes(expected), `the PDF says "${expected}":\n${text}`);

    const murray = card(page, 'Patty Murray');
    await murray.getByRole('button', { name: 'Call Patty Murray' }).click();
    await murray.getByText('Hello, I am calling to ask Patty Murray to sanction').waitFor();
    await murray.getByLabel('I left a voicemail').check();
    await murray.getByLabel('What did they say their position is?').selectOption('undecided');
    await assertAccessible(page, 'call panel');
    await murray.getByRole('button', { name: 'Record my call' }).click();
    await murray.getByText('Thank you: your call is counted').waitFor();
    await page.close();
  });

  it('signs the petition, confirms it from the e-mail and shows the public count', async () => {
    const page = await watchedPage(supporter, watch);
    await page.goto(`${vigil.url}/s/${SLUG}/campaigns/sanction-blockade`, { waitUntil: 'networkidle' });
    await page.getByText('0 confirmed signatures').waitFor();
    await page.getByLabel('Your e-mail address').fill('not-an-address');
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByText('Give a valid e-mail address').waitFor();
    await page.getByLabel('Your e-mail address').fill('lee@example.org');
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByText('open the link we sent to lee@example.org').waitFor();
    const mail = await mailTo('lee@example.org', /Confirm your signature/);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/confirm-signature\?token=\S+)/.exec(mail.text)![1]!;
    await page.goto(link, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await page.getByText('Thank you: your signature is confirmed. 1 confirmed signature').waitFor();
    await assertAccessible(page, 'confirm signature');
    await page.goto(`${vigil.url}/s/${SLUG}/campaigns/sanction-blockade`, { waitUntil: 'networkidle' });
    await page.getByText('1 confirmed signature', { exact: true }).waitFor();
    await page.close();
  });

  it('shows the organiser the actions, replies over time and positions, and a new position changes the script', async () => {
    const page = await watchedPage(organiser, watch);
    await page.goto(`${vigil.url}/login`, { waitUntil: 'networkidle' });
    await page.getByLabel('Email').fill(ORGANISER);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: new RegExp(ORGANISER) }).waitFor();
    await page.goto(`${vigil.url}/s/${SLUG}/campaigns`, { waitUntil: 'networkidle' });
    await page
      .getByRole('link', {
        name: 'Campaign page for organisers: Sanction those responsible for the blockade',
      })
      .click();
    await page.getByRole('heading', { level: 1, name: /^Campaign page: / }).waitFor();
    const figure = (label: string) =>
      page
        .locator('.figure')
        .filter({ has: page.locator('dt', { hasText: label }) })
        .locator('.figure-value');
    await page.locator('.figures').waitFor();
    assert.equal(await figure('Confirmed signatures').textContent(), '1');
    assert.equal(await figure('Letters').first().textContent(), '3');
    assert.equal(await figure('Calls').textContent(), '1');
    assert.equal(await figure('Officials who replied').textContent(), '1');
    await page.getByRole('img', { name: /letters sent/ }).waitFor();
    const weeks = page.getByRole('table', { name: 'Letters and replies per week' });
    assert.equal(await weeks.locator('tbody tr').count(), 1);
    assert.deepEqual(await weeks.locator('tbody tr td').allTextContents(), ['3', '1', '0']);
    const targets = page.getByRole('table', { name: /targets, with their recorded position/ });
    const brunoRow = targets.locator('tbody tr').filter({ hasText: 'Bruno Sample' });
    assert.match((await brunoRow.textContent()) ?? '', /E-mail.*1.*1/);
    await assertAccessible(page, 'organiser page');

    const murrayRow = targets.locator('tbody tr').filter({ hasText: 'Patty Murray' });
    assert.match((await murrayRow.textContent()) ?? '', /own delegation.*1/, 'the call to her is shown');
    await page.getByLabel('Official', { exact: true }).selectOption({ label: 'Pete Ricketts' });
    await page.getByLabel('Position', { exact: true }).selectOption('supports');
    await page
      .getByLabel('Source (address of the statement)')
      .fill('https://www.murray.senate.gov/press/example');
    await page.getByRole('button', { name: 'Record the position' }).click();
    await page.getByText('The position of Pete Ricketts is recorded').waitFor();
    await targets.locator('tbody tr').filter({ hasText: 'Pete Ricketts' }).getByText('Supports').waitFor();

    const supporterPage = await watchedPage(supporter, watch);
    await openActionCentre(supporterPage);
    const ricketts = card(supporterPage, 'Pete Ricketts');
    await ricketts.getByRole('button', { name: 'Call Pete Ricketts' }).click();
    await ricketts
      .getByText('Hello, I am calling to thank Pete Ricketts for supporting sanctions.')
      .waitFor();
    await ricketts.getByText('As a member of Senate Committee on Foreign Relations').waitFor();
    await supporterPage.close();
    await page.close();
  });

  it('lets the organiser start a campaign with the form (server errors on their fields), then change it', async () => {
    const page = await watchedPage(organiser, watch); // signed in by the test before
    await page.goto(`${vigil.url}/s/${SLUG}/campaigns`, { waitUntil: 'networkidle' });
    await page.getByRole('button', { name: 'Start a campaign' }).click();
    const form = page.getByRole('form', { name: 'Start a campaign' });
    await form.getByLabel('Title', { exact: true }).fill('Open the Lachin corridor');
    assert.equal(await form.getByLabel('Short name in addresses').inputValue(), 'open-the-lachin-corridor');
    await form.getByLabel('The ask', { exact: true }).fill('press for the reopening of the Lachin corridor');
    // Targets: a committee by rule, and one official found by name.
    await form.getByRole('button', { name: 'Add a rule' }).click();
    await form.getByLabel('Rule 1').selectOption('committee');
    await form.getByLabel('Committee', { exact: true }).selectOption('SSFR');
    await form.getByLabel('Find an official').fill('Bruno');
    await form.getByRole('button', { name: 'Search', exact: true }).click();
    await form.getByRole('button', { name: 'Add Bruno Sample' }).click();
    await form.getByRole('button', { name: 'Remove Bruno Sample' }).waitFor();
    // A merge field the server does not know: its error is shown on the letter template.
    const letter = form.getByLabel('Letter template');
    await letter.fill('Dear {{official.nickname}},\n\nPlease {{campaign.ask}}.\n\n{{supporter.name}}');
    await form.getByLabel('Petition', { exact: true }).check();
    await form.getByLabel('Petition text').fill('We ask the Senate to press for the corridor to reopen.');
    await form.getByText('Merge fields', { exact: true }).click();
    await form.getByText('{{official.family_name}}').waitFor();
    const logged = watch.errors.length;
    await form.getByRole('button', { name: 'Start the campaign' }).click();
    await form
      .getByText(/unknown merge field\(s\) \{\{official\.nickname\}\}/)
      .first()
      .waitFor();
    assert.equal(await letter.getAttribute('aria-invalid'), 'true');
    // The browser logs the refused request (400) as an error: that one is expected, nothing else.
    const refused = watch.errors.splice(logged);
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0]!, /status of 400/);
    assert.match(
      (await page
        .locator(`#${(await letter.getAttribute('aria-describedby'))!.split(' ').pop()}`)
        .textContent()) ?? '',
      /official\.nickname/,
      'the error is tied to the letter template',
    );
    await assertAccessible(page, 'campaign form with an error');
    await letter.fill(
      'Dear {{official.title}} {{official.family_name}},\n\nPlease {{campaign.ask}}.\n\n{{supporter.name}}',
    );
    await form.getByRole('button', { name: 'Start the campaign' }).click();

    // The new campaign's action centre, with its targets and its petition.
    await page.getByRole('heading', { level: 1, name: 'Open the Lachin corridor' }).waitFor();
    assert.match(page.url(), /\/campaigns\/open-the-lachin-corridor$/);
    await page.getByText('press for the reopening of the Lachin corridor').waitFor();
    assert.match((await card(page, 'Bruno Sample').textContent()) ?? '', /chosen by hand/);
    assert.match((await card(page, 'Pete Ricketts').textContent()) ?? '', /committee SSFR/);
    await page.getByRole('heading', { name: 'Sign the petition' }).waitFor();
    await assertAccessible(page, 'new campaign action centre');

    // Change it: the form comes filled in; closing the campaign shows on its pages.
    await page.getByRole('link', { name: 'Campaign page for organisers' }).click();
    await page.getByRole('button', { name: 'Change the campaign' }).click();
    const edit = page.getByRole('form', { name: 'Change the campaign' });
    assert.equal(await edit.getByLabel('Committee', { exact: true }).inputValue(), 'SSFR');
    await edit.getByRole('button', { name: 'Remove Bruno Sample' }).waitFor();
    assert.match(await edit.getByLabel('Letter template').inputValue(), /^Dear \{\{official\.title\}\}/);
    await assertAccessible(page, 'campaign form, changing');
    await edit.getByLabel('Status', { exact: true }).selectOption('closed');
    await edit.getByRole('button', { name: 'Remove Bruno Sample' }).click();
    await edit.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByText('The campaign is saved.').waitFor();
    await page.getByText('This campaign is closed').waitFor();
    const changed = await api('/campaigns/open-the-lachin-corridor');
    assert.equal(changed.body.status, 'closed');
    assert.deepEqual(changed.body.targetOfficials, []);
    await page.close();
  });
});
