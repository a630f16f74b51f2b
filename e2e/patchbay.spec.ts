import type { Page } from '@playwright/test';
import { startTestDaemon, type TestDaemon } from '../server/audio/test-daemon';
import { cookieHeader, expect, test as base } from './fixtures';
import { mutate, pairInBrowser, startConsole, type RunningConsole } from './harness';
import { shot } from './shots';

/**
 * The patchbay against a real headless PipeWire (scripts/pipewire-test-daemon.sh): this spec starts its own daemon
 * and a console whose ARCHIBALD_PIPEWIRE_RUNTIME_DIR points at it, then checks every change with pw-link / pw-metadata.
 */
const test = base.extend<object, { daemon: TestDaemon; server: RunningConsole }>({
  daemon: [
    async ({}, use) => {
      const daemon = await startTestDaemon();
      await use(daemon);
      await daemon.stop();
    },
    { scope: 'worker' },
  ],
  server: [
    async ({ daemon }, use) => {
      const server = await startConsole({ ARCHIBALD_PIPEWIRE_RUNTIME_DIR: daemon.runtimeDir });
      await use(server);
      await server.stop();
    },
    { scope: 'worker' },
  ],
});

async function portIds(daemon: TestDaemon): Promise<Map<string, number>> {
  const text = (await daemon.cli('pw-link', ['-o', '-I'])) + (await daemon.cli('pw-link', ['-i', '-I']));
  return new Map([...text.matchAll(/^\s*(\d+)\s+(\S.*)$/gm)].map((m) => [m[2].trim(), Number(m[1])]));
}

async function linked(daemon: TestDaemon, out: string, inp: string): Promise<boolean> {
  const lines = (await daemon.cli('pw-link', ['-l'])).split('\n');
  const i = lines.indexOf(out);
  for (let k = i + 1; i >= 0 && k < lines.length && lines[k].startsWith('  |'); k++) if (lines[k].trim() === `|-> ${inp}`) return true;
  return false;
}

async function openPatchbay(page: Page, server: RunningConsole, mode: 'matrix' | 'canvas') {
  await page.goto(`${server.url}/patchbay`);
  await expect(page.getByTestId('pw-status')).toContainText('PipeWire live');
  await page.getByRole('button', { name: mode, exact: true }).click();
}

test.afterEach(async ({ daemon }) => {
  // leave no links behind for the next test
  const text = await daemon.cli('pw-link', ['-l', '-I']);
  for (const m of text.matchAll(/^\s*(\d+)\s+\|->/gm)) await daemon.cli('pw-link', ['-d', m[1]]).catch(() => '');
});

test('tap the matrix to connect and disconnect; a second browser sees it live', async ({ adminPage: page, server, daemon, browser, adminState }, testInfo) => {
  await openPatchbay(page, server, 'matrix');
  const viewerLink = await mutate(server, 'auth.createPairing', { role: 'viewer', label: 'FOH phone', baseUrl: server.url }, cookieHeader(adminState));
  const viewerState = await pairInBrowser(browser, (viewerLink.body.result!.data as { url: string }).url, 'FOH phone');
  const viewerCtx = await browser.newContext({ storageState: viewerState, viewport: testInfo.project.use.viewport });
  const viewer = await viewerCtx.newPage();
  await openPatchbay(viewer, server, 'matrix');

  const cell = (p: Page) => p.getByRole('button', { name: 'test-tone:capture_1 → test-sink:playback_FL' });
  await expect(cell(page)).toHaveAttribute('aria-pressed', 'false');
  await cell(page).tap();
  await expect(cell(page)).toHaveAttribute('aria-pressed', 'true');
  expect(await linked(daemon, 'test-tone:capture_1', 'test-sink:playback_FL')).toBe(true);
  await expect(cell(viewer)).toHaveAttribute('aria-pressed', 'true'); // pushed to the other client
  await expect(cell(viewer)).toBeDisabled(); // a viewer changes nothing
  await shot(page, testInfo, 'patchbay-matrix');

  // a link made in a terminal shows up in both browsers
  await daemon.cli('pw-link', ['test-tone:capture_2', 'test-sink:playback_FR']);
  const fr = (p: Page) => p.getByRole('button', { name: 'test-tone:capture_2 → test-sink:playback_FR' });
  await expect(fr(page)).toHaveAttribute('aria-pressed', 'true');
  await expect(fr(viewer)).toHaveAttribute('aria-pressed', 'true');

  await cell(page).tap();
  await expect(cell(page)).toHaveAttribute('aria-pressed', 'false');
  await expect(cell(viewer)).toHaveAttribute('aria-pressed', 'false');
  expect(await linked(daemon, 'test-tone:capture_1', 'test-sink:playback_FL')).toBe(false);
  await viewerCtx.close();
});

test('drag from an output to an input on the canvas to connect', async ({ adminPage: page, server, daemon }, testInfo) => {
  await openPatchbay(page, server, 'canvas');
  const ids = await portIds(daemon);
  await page.getByLabel('Filter by name').fill('test-');
  const from = page.getByTestId(`handle-out-${ids.get('test-tone:capture_1')}`);
  const to = page.getByTestId(`handle-in-${ids.get('test-sink-b:playback_FL')}`);
  await expect(from).toBeVisible();
  await expect(to).toBeVisible();
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => linked(daemon, 'test-tone:capture_1', 'test-sink-b:playback_FL')).toBe(true);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await shot(page, testInfo, 'patchbay-canvas');
});

test('set quantum 64 in the clock panel, verified with pw-metadata', async ({ adminPage: page, server, daemon }) => {
  await openPatchbay(page, server, 'matrix');
  await page.getByRole('group', { name: 'Quantum' }).getByRole('button', { name: /^64/ }).click();
  await expect(page.getByTestId('clock-forced')).toHaveText('quantum 64');
  expect(await daemon.cli('pw-metadata', ['-n', 'settings'])).toMatch(/key:'clock.force-quantum' value:'64'/);
  await page.getByRole('group', { name: 'Quantum' }).getByRole('button', { name: 'Release' }).click();
  await expect(page.getByTestId('clock-forced')).toHaveText('quantum free');
  expect(await daemon.cli('pw-metadata', ['-n', 'settings'])).toMatch(/key:'clock.force-quantum' value:'0'/);
});

test('save a scene, change the routing, preview the diff and recall it', async ({ adminPage: page, server, daemon }, testInfo) => {
  await daemon.cli('pw-link', ['test-tone:capture_1', 'test-sink:playback_FL']);
  await openPatchbay(page, server, 'matrix');
  const name = `Show ${testInfo.project.name}`;
  await page.getByLabel('Scene name').fill(name);
  await page.getByRole('button', { name: 'Save scene' }).click();
  const item = page.getByTestId('scene-list').locator('li', { hasText: name });
  await expect(item).toContainText('1 links');
  await daemon.cli('pw-link', ['-d', 'test-tone:capture_1', 'test-sink:playback_FL']);
  await daemon.cli('pw-link', ['test-tone:capture_2', 'test-sink-b:playback_FR']);
  await item.getByRole('button', { name: 'Recall…' }).click();
  // on a phone the bottom tab bar covers the lower edge: bring the checkbox to the middle first
  await item.getByLabel(/exclusive/).evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await item.getByLabel(/exclusive/).check();
  await expect(item.getByTestId('scene-diff')).toContainText('1 to add · 1 to remove');
  await item.getByRole('button', { name: 'Apply scene' }).evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await item.getByRole('button', { name: 'Apply scene' }).click();
  await expect.poll(() => linked(daemon, 'test-tone:capture_1', 'test-sink:playback_FL')).toBe(true);
  expect(await linked(daemon, 'test-tone:capture_2', 'test-sink-b:playback_FR')).toBe(false);
  await shot(page, testInfo, 'patchbay-scenes');
});
