// What most browser tests set up before their first page: a copy of the migrated template with users added
// through the CLI, a real `vigil serve` on it, Debian's chromium and a desktop-sized browser context.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';
import type { Role } from '../../src/auth/permissions.ts';
import { type RunningVigil, runVigil, startVigil } from './app.ts';
import { assertBrowserTestReady, launchChromium } from './browser.ts';
import { copyTemplate } from './template.ts';

export interface E2eUser {
  email: string;
  role: Role;
  password: string;
}

export interface VigilInBrowser {
  vigil: RunningVigil;
  dataDir: string;
  browser: Browser;
  /** A 1280×900 context for the test's pages. */
  context: BrowserContext;
  /** Closes the context, the browser and the server, then removes the data directory. */
  close(): Promise<void>;
}

/** Adds a user with a password to the data in `dataDir` through `vigil user add`, failing if refused. */
export async function addUser(dataDir: string, user: E2eUser): Promise<void> {
  const added = await runVigil(
    ['user', 'add', '--email', user.email, '--role', user.role, '--password-stdin'],
    { env: { VIGIL_DATA_DIR: dataDir }, input: `${user.password}\n` },
  );
  assert.equal(added.code, 0, added.stderr);
}

/**
 * Starts Vigil with the built-in scenario on a fresh copy of the template holding `users`, then chromium
 * with one context. Whatever was started is stopped again if a later step fails.
 */
export async function startVigilInBrowser(options: { users: E2eUser[] }): Promise<VigilInBrowser> {
  assertBrowserTestReady();
  const dataDir = copyTemplate();
  let vigil: RunningVigil | undefined;
  let browser: Browser | undefined;
  try {
    for (const user of options.users) await addUser(dataDir, user);
    vigil = await startVigil({ demo: true, dataDir });
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const started = { vigil, browser };
    return {
      vigil,
      dataDir,
      browser,
      context,
      async close() {
        await context.close();
        await started.browser.close();
        await started.vigil.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close();
    await vigil?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}
