import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import type { Page } from '@playwright/test';
import { cookieHeader, expect, test } from './fixtures';
import { mutate, pairInBrowser } from './harness';
import { shot } from './shots';

/**
 * The sample timestamps a page shows over `ms`. Recorded inside the page by a MutationObserver on the CPU
 * figure's data-sample-t, so a busy test runner cannot miss samples the page did render.
 */
async function sampleTimes(page: Page, ms: number): Promise<number[]> {
  return page.evaluate(
    (ms) =>
      new Promise<number[]>((resolve) => {
        const seen = new Set<number>();
        const target = document.querySelector('[data-testid="cpu-total"]')!;
        const record = () => {
          const t = Number(target.getAttribute('data-sample-t'));
          if (t) seen.add(t);
        };
        const observer = new MutationObserver(record);
        observer.observe(target, { attributes: true, attributeFilter: ['data-sample-t'] });
        setTimeout(() => {
          observer.disconnect();
          resolve([...seen].sort((a, b) => a - b));
        }, ms);
      }),
    ms,
  );
}

test('the overview shows live metrics that move, for every core', async ({ adminPage: page, server }, testInfo) => {
  await page.goto(server.url);
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('core-bars').locator('li')).toHaveCount(os.cpus().length);
  await expect(page.getByTestId('kernel-badge')).toContainText(os.release());
  await expect(page.getByTestId('cpu-total')).toHaveAttribute('data-sample-t', /\d+/);
  const times = await sampleTimes(page, 2000);
  // 4 Hz by default: about 8 samples in 2 s.
  expect(times.length).toBeGreaterThanOrEqual(6);
  expect(times.length).toBeLessThanOrEqual(10);
  await page.getByRole('button', { name: '10 Hz' }).click();
  await page.waitForTimeout(500); // the subscription is renewed at the new rate
  // 10 Hz: about 20 in 2 s, and clearly more than 4 Hz could give.
  expect((await sampleTimes(page, 2000)).length).toBeGreaterThanOrEqual(13);
  await page.getByRole('button', { name: '4 Hz' }).click();
  await page.waitForTimeout(1500); // let the sparklines fill a little before the picture
  await shot(page, testInfo, 'overview');
});

test('a second browser sees the same live samples', async ({ adminPage: page, browser, server, adminState }) => {
  const viewerLink = await mutate(server, 'auth.createPairing', { role: 'viewer', label: 'FOH phone', baseUrl: server.url }, cookieHeader(adminState));
  expect(viewerLink.status).toBe(200);
  const viewerState = await pairInBrowser(browser, (viewerLink.body.result!.data as { url: string }).url, 'FOH phone');
  const other = await (await browser.newContext({ storageState: viewerState })).newPage();
  await Promise.all([page.goto(server.url), other.goto(server.url)]);
  await expect(page.getByTestId('cpu-total')).toHaveAttribute('data-sample-t', /\d+/);
  await expect(other.getByTestId('cpu-total')).toHaveAttribute('data-sample-t', /\d+/);
  const [mine, theirs] = await Promise.all([sampleTimes(page, 3000), sampleTimes(other, 3000)]);
  // One sampler for every client: both pages show samples taken at the very same instants.
  const shared = mine.filter((t) => theirs.includes(t));
  expect(shared.length).toBeGreaterThanOrEqual(3);
  await other.context().close();
});

test('a viewer sees everything and can change nothing', async ({ browser, server, adminState }, testInfo) => {
  const link = await mutate(server, 'auth.createPairing', { role: 'viewer', label: 'viewer', baseUrl: server.url }, cookieHeader(adminState));
  const { viewport, isMobile, hasTouch } = testInfo.project.use;
  const viewerState = await pairInBrowser(browser, (link.body.result!.data as { url: string }).url, 'Viewer tablet', { viewport, isMobile, hasTouch });
  const context = await browser.newContext({ storageState: viewerState, viewport, isMobile, hasTouch });
  const page = await context.newPage();
  await page.goto(`${server.url}/settings`);
  await expect(page.getByText('paired as viewer')).toBeVisible();
  await expect(page.getByText('managed from an admin device')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create pairing link' })).toHaveCount(0);
  await shot(page, testInfo, 'settings-viewer');

  // And the server refuses, whatever the page shows: the API answers 403 with the reason.
  const attempt = await mutate(server, 'auth.createPairing', { role: 'admin', label: 'escalate', baseUrl: server.url }, cookieHeader(viewerState));
  expect(attempt.status).toBe(403);
  expect(attempt.body.error?.message).toContain('paired as viewer');
  await context.close();

  // The refusal is in the audit log, with who tried.
  const log = await fetch(`${server.url}/api/trpc/audit.list?input=${encodeURIComponent(JSON.stringify({ limit: 20 }))}`, {
    headers: { cookie: cookieHeader(adminState) },
  }).then((r) => r.json());
  const entry = (log.result.data as { action: string; deviceName: string; ok: boolean }[]).find((e) => e.deviceName === 'Viewer tablet');
  expect(entry).toMatchObject({ action: 'auth.createPairing', ok: false });
});

test('a page from another origin can neither open the WebSocket nor mutate', async ({ adminPage: page, server }) => {
  // A hostile page on another port of the same host: same site, so the session cookie IS sent; only the Origin check stops it.
  const evil = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>evil</title><script>
      window.result = new Promise((resolve) => {
        const ws = new WebSocket('ws://127.0.0.1:${server.port}/api/trpc-ws');
        ws.onopen = () => resolve({ ws: 'open' });
        ws.onclose = (e) => resolve({ ws: 'closed', code: e.code });
      }).then(async (r) => {
        const res = await fetch('http://127.0.0.1:${server.port}/api/trpc/auth.setPassword', {
          method: 'POST', credentials: 'include', mode: 'no-cors',
          headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ password: 'pwned-by-evil-page' }),
        }).catch((e) => null);
        return r;
      });
    </script>`);
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
  await page.goto(server.url); // sets the session in this browser
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'live');
  await page.goto(evilUrl);
  const result = await page.evaluate(() => (window as unknown as { result: Promise<{ ws: string; code?: number }> }).result);
  expect(result.ws).toBe('closed');
  expect(result.code).toBe(1006); // refused at the upgrade: the handshake never completed
  await page.waitForTimeout(300);
  await page.goto(`${server.url}/settings`);
  await expect(page.getByText('No password yet')).toBeVisible(); // the forged mutation changed nothing
  evil.close();
});

test('a mutation with a valid session but a foreign Origin is refused', async ({ server, adminState }) => {
  const forged = await mutate(server, 'auth.setPassword', { password: 'a-long-enough-password' }, cookieHeader(adminState), 'http://evil.example:8420');
  expect(forged.status).toBe(403);
  expect(forged.body.error?.message).toContain('not one of this console');
  const missing = await fetch(`${server.url}/api/trpc/auth.setPassword`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookieHeader(adminState) },
    body: JSON.stringify({ password: 'a-long-enough-password' }),
  });
  expect(missing.status).toBe(403);
  const status = await fetch(`${server.url}/api/trpc/auth.status`, { headers: { cookie: cookieHeader(adminState) } }).then((r) => r.json());
  expect(status.result.data.hasPassword).toBe(false);
});

test('pages work at this viewport without sideways scrolling', async ({ adminPage: page, server }, testInfo) => {
  for (const path of ['/', '/settings', '/patchbay', '/tuning', '/mesh']) {
    await page.goto(`${server.url}${path}`);
    await expect(page.getByTestId('connection-state')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    // Every control a finger can reach is at least 44 px in both directions.
    const small = await page.$$eval('main button, nav a', (els) =>
      els.filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.width < 44 || r.height < 44);
      }).map((e) => e.textContent),
    );
    expect(small, `${path} has small touch targets`).toEqual([]);
    await shot(page, testInfo, `page${path.replace(/\//g, '-') || '-root'}`);
  }
});
