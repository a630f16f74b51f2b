import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { layMachine } from '../server/tuning/fixtures/machines';
import { expect, test } from './fixtures';
import { pairInBrowser, startConsole, type RunningConsole } from './harness';
import { shot } from './shots';

/**
 * The tuning page against a console whose host root is a laid-out stock laptop (powersave governor, swap at 60,
 * a shared USB IRQ...). Tweaks are written into that tree by the host-tree writer, so the test reads them back.
 */
let hostRoot: string;
let server: RunningConsole;

test.beforeAll(async () => {
  hostRoot = layMachine('laptop');
  server = await startConsole({ ARCHIBALD_HOST_ROOT: hostRoot });
});
test.afterAll(async () => {
  await server?.stop();
  if (hostRoot) rmSync(hostRoot, { recursive: true, force: true });
});

/** Tap a control after centring it: the sticky header covers whatever sits at the very top of a phone screen. */
async function tap(locator: import('@playwright/test').Locator) {
  await locator.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await locator.click();
}

const governorFile = () => readFileSync(path.join(hostRoot, 'sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'), 'utf8').trim();

test('run the checks, preview a fix, apply it, see the check pass, revert it', async ({ browser }, testInfo) => {
  const { viewport, isMobile, hasTouch, deviceScaleFactor } = testInfo.project.use;
  // each project (viewport) runs in its own worker, with its own console and its first-start pairing link
  const state = await pairInBrowser(browser, server.firstPairingUrl, 'Tuning admin');
  const context = await browser.newContext({ storageState: state, viewport, isMobile, hasTouch, deviceScaleFactor });
  const page = await context.newPage();
  await page.goto(`${server.url}/tuning`);

  await expect(page.getByTestId('tuning-score')).toBeVisible();
  const governor = page.getByTestId('check-governor');
  await expect(governor).toHaveAttribute('data-status', 'fail');
  await expect(governor).toContainText('powersave');
  await shot(page, testInfo, 'tuning-checks');

  // dry run first: the exact writes, nothing changed yet
  await tap(governor.getByRole('button', { name: /Preview fix/ }));
  const preview = governor.getByTestId('tweak-preview');
  await expect(preview).toContainText('/sys/devices/system/cpu/cpu7/cpufreq/scaling_governor');
  await expect(preview).toContainText('powersave → performance');
  expect(governorFile()).toBe('powersave');
  await shot(page, testInfo, 'tuning-preview');

  await tap(preview.getByRole('button', { name: /Apply 8 writes/ }));
  await expect(governor).toHaveAttribute('data-status', 'pass');
  expect(governorFile()).toBe('performance');
  const applied = page.getByTestId('applied-governor');
  await expect(applied).toContainText('in force');
  await expect(page.getByText('archibald.rtAudio.cpu.governor = "performance";').first()).toBeVisible();
  await shot(page, testInfo, 'tuning-applied');

  await tap(applied.getByRole('button', { name: 'Revert' }));
  await expect(page.getByTestId('applied-empty')).toBeVisible();
  await tap(page.getByRole('button', { name: 'Run checks' }));
  await expect(governor).toHaveAttribute('data-status', 'fail');
  expect(governorFile()).toBe('powersave');

  // the audit log has both
  await page.goto(`${server.url}/settings`);
  await expect(page.getByText('tuning.applyTweak').first()).toBeVisible();
  await expect(page.getByText('tuning.revert').first()).toBeVisible();
  await context.close();
});

test('without a session the tuning API refuses and nothing changes', async () => {
  const res = await fetch(`${server.url}/api/trpc/tuning.applyTweak`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ tweak: 'swappiness', params: { value: 10 } }),
  });
  expect(res.status).toBe(401);
  expect(readFileSync(path.join(hostRoot, 'proc/sys/vm/swappiness'), 'utf8').trim()).toBe('60');
});
