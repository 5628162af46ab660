// Browser test of the organisations page (/admin/organisations, docs/organisations.md) against a real
// `vigil serve` with the built-in scenario: an admin follows the header link, is shown the server's error
// beside the slug field for a bad slug, creates an organisation, renames it, adds an existing user (and is
// told beside the field when the user does not exist), sees the organisation's situation and the member,
// removes them and reads the membership history. An analyst has no header link and is told they may not
// manage organisations; a signed-out visitor is asked to sign in. Every page passes axe (no serious or
// critical WCAG 2.2 AA violation); nothing is requested outside 127.0.0.1; the only console errors are the
// browser's own lines for the two requests the server refused (400).
// Needs the built web app (`npm run build`) and Debian's chromium.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningVigil } from '../support/app.ts';
import { assertAccessible, type Watch, watchedPage } from '../support/browser.ts';
import { startVigilInBrowser, type VigilInBrowser } from '../support/e2e.ts';

const SITUATION = 'nagorno-karabakh-2022-23';
const ADMIN = 'org-admin@example.org';
const ANALYST = 'org-analyst@example.org';
const PASSWORD = 'a long enough password';

async function signIn(page: Page, url: string, email: string): Promise<void> {
  await page.goto(`${url}/login`, { waitUntil: 'networkidle' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: new RegExp(email) }).waitFor();
}

describe('organisations page in a browser', { timeout: 300_000 }, () => {
  let running: VigilInBrowser;
  let vigil: RunningVigil;
  const watch: Watch = { outside: [], errors: [] };

  /** Runs `action`, which the server refuses once with 400: the browser's console line for it is expected. */
  async function refusedOnce(action: () => Promise<void>): Promise<void> {
    const logged = watch.errors.length;
    await action();
    const refused = watch.errors.splice(logged);
    assert.equal(refused.length, 1, refused.join('\n'));
    assert.match(refused[0] ?? '', /status of 400/);
  }

  before(async () => {
    running = await startVigilInBrowser({
      users: [
        { email: ADMIN, role: 'admin', password: PASSWORD },
        { email: ANALYST, role: 'analyst', password: PASSWORD },
      ],
    });
    vigil = running.vigil;
  });

  after(async () => {
    await running?.close();
  });

  it('lets an admin create and rename an organisation and manage its members', async () => {
    const page = await watchedPage(running.context, watch);
    await signIn(page, vigil.url, ADMIN);

    await page.getByRole('banner').getByRole('link', { name: 'Organisations' }).click();
    await page.getByRole('heading', { level: 1, name: 'Organisations' }).waitFor();
    await page.getByText('There are no organisations yet').waitFor();
    await assertAccessible(page, 'organisations page, none yet');

    // A bad slug: the server's error is shown beside the slug field, which takes focus.
    const create = page.getByRole('form', { name: 'New organisation' });
    const slug = create.getByLabel('Slug');
    await slug.fill('Bad Slug!');
    await create.getByLabel('Name', { exact: true }).fill('Team A');
    await refusedOnce(async () => {
      await create.getByRole('button', { name: 'Create the organisation' }).click();
      await create.getByText(/^must be lower-case letters and digits/i).waitFor();
    });
    assert.equal(await slug.getAttribute('aria-invalid'), 'true');
    const describedBy = (await slug.getAttribute('aria-describedby')) ?? '';
    assert.match(
      (await page.locator(`[id="${describedBy.split(' ').pop()}"]`).textContent()) ?? '',
      /must be lower-case letters and digits/i,
      'the error is tied to the slug field',
    );
    assert.equal(await slug.evaluate((el) => el === document.activeElement), true, 'focus is on the slug');
    await create.getByRole('alert').filter({ hasText: 'Nothing was saved' }).waitFor();
    await assertAccessible(page, 'organisations page, slug refused');

    await slug.fill('team-a');
    await create.getByRole('button', { name: 'Create the organisation' }).click();
    await page.getByRole('status').filter({ hasText: 'Organisation Team A (team-a) created.' }).waitFor();
    const list = page.getByRole('table', { name: '1 organisation' });
    await list.waitFor();
    assert.equal(await slug.getAttribute('aria-invalid'), null, 'the error is gone');
    assert.equal(await slug.inputValue(), '', 'the form is emptied for the next one');

    // Open it and rename it.
    await list.getByRole('link', { name: 'Team A' }).click();
    await page.getByRole('heading', { level: 1, name: 'Team A' }).waitFor();
    await page.getByText('This organisation has no members yet.').waitFor();
    const rename = page.getByRole('form', { name: 'Name', exact: true });
    await rename.getByLabel('Name of the organisation').fill('Team A (Yerevan)');
    await rename.getByRole('button', { name: 'Save the name' }).click();
    await page.getByRole('status').filter({ hasText: 'Renamed to Team A (Yerevan).' }).waitFor();
    await page.getByRole('heading', { level: 1, name: 'Team A (Yerevan)' }).waitFor();

    // A user who does not exist is named beside the e-mail field; an existing one becomes a member.
    const add = page.getByRole('form', { name: 'Add a member' });
    const email = add.getByLabel("The user's e-mail");
    await email.fill('nobody@example.org');
    await refusedOnce(async () => {
      await add.getByRole('button', { name: 'Add the member' }).click();
      await add.getByText('No user nobody@example.org').waitFor();
    });
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByText('Renamed to').count(), 0, 'the earlier report is gone');
    await email.fill(ANALYST);
    await add.getByRole('button', { name: 'Add the member' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${ANALYST} is now a member of Team A (Yerevan).` })
      .waitFor();
    const members = page.getByRole('table', { name: '1 member of Team A (Yerevan)' });
    await members.getByRole('rowheader', { name: ANALYST }).waitFor();
    await members.getByRole('cell', { name: 'analyst', exact: true }).waitFor();

    // A situation moved into the organisation (through the API, as an admin) is listed on its page.
    const moved = await page.evaluate(async (situation) => {
      const session = (await (await fetch('/api/v1/auth/session')).json()) as {
        csrfToken: string;
        csrfHeader: string;
      };
      const res = await fetch(`/api/v1/situations/${situation}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', [session.csrfHeader]: session.csrfToken },
        body: JSON.stringify({ organisation: 'team-a' }),
      });
      return { status: res.status, name: ((await res.json()) as { name: string }).name };
    }, SITUATION);
    assert.equal(moved.status, 200);
    await page.reload({ waitUntil: 'networkidle' });
    await page
      .getByRole('region', { name: 'Situations', exact: true })
      .getByRole('link', { name: moved.name })
      .waitFor();
    await assertAccessible(page, 'organisation page with a member and a situation');

    // Removing the member.
    await members.getByRole('button', { name: `Remove ${ANALYST}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `${ANALYST} is no longer a member of Team A (Yerevan).` })
      .waitFor();
    await page.getByText('This organisation has no members yet.').waitFor();
    const history = page.getByRole('table', { name: '2 membership changes, oldest first' });
    await history.waitFor();
    const changes = await history
      .locator('tbody tr')
      .evaluateAll((rows) =>
        rows.map((row) => [...row.querySelectorAll('td')].slice(1).map((td) => td.textContent)),
      );
    assert.deepEqual(changes, [
      [ANALYST, 'added', ADMIN],
      [ANALYST, 'removed', ADMIN],
    ]);
    await assertAccessible(page, 'organisation page after removing the member');

    // Back on the list, the numbers are the organisation's now.
    await page.getByRole('link', { name: 'All organisations' }).click();
    const row = page
      .getByRole('table', { name: '1 organisation' })
      .getByRole('row', { name: /Team A \(Yerevan\)/ });
    await row.waitFor();
    assert.deepEqual((await row.locator('td').allTextContents()).slice(0, 3), ['team-a', '0', '1']);
    await page.close();
  });

  it('tells an analyst they may not manage organisations, and shows them no link', async () => {
    const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await watchedPage(context, watch);
      await signIn(page, vigil.url, ANALYST);
      assert.equal(await page.getByRole('banner').getByRole('link', { name: 'Organisations' }).count(), 0);
      await page.goto(`${vigil.url}/admin/organisations`, { waitUntil: 'networkidle' });
      await page.getByRole('heading', { level: 1, name: 'Organisations' }).waitFor();
      await page.getByText('You are not allowed to manage organisations').waitFor();
      assert.equal(await page.getByRole('table').count(), 0);
      await assertAccessible(page, 'organisations page for an analyst');
    } finally {
      await context.close();
    }
  });

  it('asks a signed-out visitor to sign in', async () => {
    const context = await running.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const page = await watchedPage(context, watch);
      await page.goto(`${vigil.url}/admin/organisations/team-a`, { waitUntil: 'networkidle' });
      await page.getByText('You need to sign in as an administrator').waitFor();
      const signIn = page.getByRole('main').getByRole('link', { name: 'Sign in' });
      assert.equal(await signIn.getAttribute('href'), '/login?next=%2Fadmin%2Forganisations%2Fteam-a');
      await assertAccessible(page, 'organisations page, signed out');
    } finally {
      await context.close();
    }
  });

  it('requested nothing outside 127.0.0.1 and logged no other console error', () => {
    assert.deepEqual(watch.outside, [], 'requests outside 127.0.0.1');
    assert.deepEqual(watch.errors, [], 'console errors');
  });
});
