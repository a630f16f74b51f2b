import type { Page, TestInfo } from '@playwright/test';

/** Save a full-page screenshot under test-results/screenshots/<viewport>-<name>.png, to look at. */
export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/screenshots/${testInfo.project.name}-${name}.png`, fullPage: true });
}
