import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DIST } from '../../server/server';
import { goTo, logReject, screenshots, useAppAndBrowser, waitControlled, waitSynced, signIn } from './support';

const env = useAppAndBrowser();

// A "new version" is the built service worker with one harmless statement appended: the browser compares
// the script byte for byte, so it installs it next to the old one and leaves it waiting.
const SW = resolve(DIST, 'sw.js');
const MARK = '\n;self.barronE2eBuild = "update-prompt"; // tests/e2e/update-prompt.test.ts, removed after the test\n';
let original: string | null = null;

beforeAll(() => {
  // useAppAndBrowser's beforeAll (which may build dist/) has run by now; a crashed earlier run may have left the mark.
  original = readFileSync(SW, 'utf8').replace(MARK, '');
  writeFileSync(SW, original);
});

afterAll(() => {
  if (original !== null) writeFileSync(SW, original);
});

it('a new version is offered, and installs only after the queued changes are synced', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  const banner = page.getByTestId('update-banner');
  const updateNow = banner.getByRole('button', { name: 'Update now' });

  // One change made offline stays in the outbox.
  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');
  await logReject(page, 3);
  await page.getByRole('heading', { name: 'Reject (pending number)' }).waitFor();

  // The network is back for the page, but the API cannot be reached until the user presses "Sync now" (the flag is
  // set in the page before the button's own handler runs, so the scheduler's retries cannot send the change first).
  await page.evaluate(() =>
    document.addEventListener('click', (e) => {
      if ((e.target as Element).closest('[data-testid="update-banner"] button')?.textContent === 'Sync now') (globalThis as any).syncNowPressed = true;
    }, { capture: true }));
  await ctx.route('**/api/**', async (route) => {
    const pressed = await page.evaluate(() => !!(globalThis as any).syncNowPressed).catch(() => false);
    await (pressed ? route.continue() : route.abort('internetdisconnected'));
  });
  await ctx.setOffline(false);
  await expect.poll(() => page.evaluate(() => (globalThis as any).barron.pending.value)).toBe(1);

  // The server now has a new version; the app looks for it and offers it.
  writeFileSync(SW, original + MARK);
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await banner.waitFor();
  await page.waitForFunction(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting);
  await expect(banner.textContent()).resolves.toContain('It installs after your 1 queued change is synced.');
  expect(await updateNow.isDisabled()).toBe(true);
  // Nothing was forced: the old version still controls the page.
  expect(await page.evaluate(async () => navigator.serviceWorker.controller === (await navigator.serviceWorker.getRegistration())!.active)).toBe(true);
  await screenshots(page, 'update-waiting-for-sync');

  // "Sync now" makes the API reachable, sends the change and frees the update.
  await banner.getByRole('button', { name: 'Sync now' }).click();
  await waitSynced(page);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Online · all sent');
  await expect.poll(() => updateNow.isEnabled()).toBe(true);
  await expect(banner.getByRole('button', { name: 'Sync now' }).count()).resolves.toBe(0);
  await screenshots(page, 'update-ready');

  // "Update now" activates the waiting worker and reloads the page under it.
  await page.evaluate(() => ((globalThis as any).beforeUpdate = true));
  await Promise.all([page.waitForEvent('load'), updateNow.click()]);
  await page.getByRole('navigation', { name: 'Main', exact: true }).waitFor();
  await waitControlled(page);
  expect(await page.evaluate(() => (globalThis as any).beforeUpdate)).toBeUndefined();
  const reg = await page.evaluate(async () => {
    const r = (await navigator.serviceWorker.getRegistration())!;
    return { waiting: !!r.waiting, installing: !!r.installing, active: r.active?.state, controls: r.active === navigator.serviceWorker.controller };
  });
  expect(reg).toEqual({ waiting: false, installing: false, active: 'activated', controls: true });
  // The worker now running is the new script (a retired worker may never answer: each is given a second).
  const builds = await Promise.all(ctx.serviceWorkers().map((w) =>
    Promise.race([w.evaluate(() => (self as any).barronE2eBuild ?? null).catch(() => 'gone'), new Promise((ok) => setTimeout(() => ok('no answer'), 1000))])));
  expect(builds).toContain('update-prompt');
  expect(await banner.count()).toBe(0);
  await goTo(page, 'Rejects');
  await expect(page.getByTestId('reject-list').getByRole('link').filter({ hasText: '3 × SCRATCH' }).textContent()).resolves.toMatch(/REJ-\d{6}/);
  await screenshots(page, 'update-installed');
  await ctx.close();
});
