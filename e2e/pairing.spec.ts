import { expect, test } from './fixtures';
import { startConsole } from './harness';
import { shot } from './shots';

test('the admin pairs a performer from Settings; the link works once', async ({ adminPage: page, browser, server }, testInfo) => {
  await page.goto(`${server.url}/settings`);
  await page.getByText('stage controls').click();
  await page.getByLabel('Label').fill('Drum tablet');
  await page.getByRole('button', { name: 'Create pairing link' }).click();
  const linkBox = page.getByTestId('pairing-link');
  await expect(linkBox.locator('svg')).toBeVisible(); // the QR code
  const url = (await linkBox.locator('code').textContent())!;
  expect(url).toMatch(new RegExp(`^${server.url}/pair#[A-Za-z0-9_-]{40,}$`));
  await shot(page, testInfo, 'settings-admin-pairing');

  const { viewport, isMobile, hasTouch } = testInfo.project.use;
  const drummer = await browser.newContext({ viewport, isMobile, hasTouch });
  const tab = await drummer.newPage();
  await tab.goto(url);
  await shot(tab, testInfo, 'pair');
  await tab.getByLabel('Name of this device').fill('Drum tablet');
  await tab.getByRole('button', { name: 'Pair' }).click();
  await expect(tab.getByTestId('connection-state')).toHaveAttribute('data-state', 'live');
  await tab.goto(`${server.url}/settings`);
  await expect(tab.getByText('paired as performer')).toBeVisible();

  // The admin's device list shows it without a reload.
  await expect(page.getByTestId('device-list')).toContainText('Drum tablet');

  // Used once: a second browser gets a clear refusal.
  const thief = await (await browser.newContext()).newPage();
  await thief.goto(url);
  await thief.getByRole('button', { name: 'Pair' }).click();
  await expect(thief.getByText('already been used')).toBeVisible();
  await thief.context().close();

  // Revoking the device signs it out on its next request.
  await page.getByRole('button', { name: 'Revoke Drum tablet' }).click();
  await expect(page.getByTestId('device-list')).not.toContainText('Drum tablet');
  await tab.reload();
  await expect(tab.getByText('Pair this device')).toBeVisible();
  await drummer.close();
});

test('without a session nothing but pairing and login answers', async ({ server, browser, adminState }) => {
  expect(adminState.cookies.length).toBeGreaterThan(0); // the console is claimed
  const res = await fetch(`${server.url}/api/trpc/system.snapshot`);
  expect(res.status).toBe(401);
  const page = await (await browser.newContext()).newPage();
  await page.goto(server.url);
  await expect(page.getByText('Pair this device')).toBeVisible();
  await page.context().close();
});

test('the console keeps the last values on screen while it restarts, then goes live again', async ({ browser }, testInfo) => {
  const first = await startConsole();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(first.firstPairingUrl);
  await page.getByRole('button', { name: 'Pair' }).click();
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('cpu-total')).toHaveText(/\d+%/);
  expect(await first.stop()).toBe(0); // a clean shutdown on SIGTERM
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', /reconnecting|offline/);
  await expect(page.getByTestId('stale-note')).toBeVisible();
  await expect(page.getByTestId('cpu-total')).toHaveText(/\d+%/); // last known value kept
  await shot(page, testInfo, 'overview-reconnecting');
  const second = await startConsole({}, { port: first.port, dataDir: first.dataDir });
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  await expect(page.getByTestId('stale-note')).toHaveCount(0);
  await context.close();
  await second.stop();
});
