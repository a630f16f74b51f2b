import { test as base, type Page } from '@playwright/test';
import { pairInBrowser, startConsole, type RunningConsole } from './harness';

type StorageState = Awaited<ReturnType<typeof pairInBrowser>>;

/**
 * Worker-scoped: one production console per worker, paired once through the real first-start link.
 * `adminPage` is a page signed in as that admin device. Specs that need a special console (a fixture host root,
 * a test PipeWire) call startConsole themselves with extra env.
 */
export const test = base.extend<{ adminPage: Page }, { server: RunningConsole; adminState: StorageState }>({
  server: [
    async ({}, use) => {
      const server = await startConsole();
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
  adminState: [
    async ({ browser, server }, use) => {
      await use(await pairInBrowser(browser, server.firstPairingUrl, 'E2E admin'));
    },
    { scope: 'worker' },
  ],
  adminPage: async ({ browser, adminState }, use, testInfo) => {
    const { viewport, isMobile, hasTouch, deviceScaleFactor } = testInfo.project.use;
    const context = await browser.newContext({ storageState: adminState, viewport, isMobile, hasTouch, deviceScaleFactor });
    const page = await context.newPage();
    await use(page);
    await context.close();
  },
});

export const expect = test.expect;

/** A cookie header for the stored session, for API calls made beside the browser. */
export function cookieHeader(state: StorageState): string {
  return state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
