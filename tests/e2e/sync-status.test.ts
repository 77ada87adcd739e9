// The sync pill after an offline reload: the time of the last sync is kept on the device (IndexedDB
// meta 'lastSyncAt'), so it never says "Synced never" on a device that has synced.
import { expect, it } from 'vitest';
import { signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

it('a device that synced, reloaded offline, still shows when it last synced', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  const before = await page.getByTestId('sync-status').locator('.detail').textContent();
  expect(before).toMatch(/^Synced \d/);
  await ctx.setOffline(true);
  await page.reload();
  await page.getByRole('navigation', { name: 'Main', exact: true }).waitFor();
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');
  expect(await page.getByTestId('sync-status').locator('.detail').textContent()).toBe(before);
  // Tapping the pill offline tries (and fails) a sync: the engine's state still carries the stored time.
  await page.getByTestId('sync-status').click();
  await page.waitForFunction(() => !(globalThis as any).barron.sync.value.syncing && (globalThis as any).barron.sync.value.lastError);
  const after = await page.getByTestId('sync-status').locator('.detail').textContent();
  expect(after).not.toContain('never');
  expect(after).toBe(before);
  await ctx.close();
});
