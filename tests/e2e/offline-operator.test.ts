import { expect, it } from 'vitest';
import { goTo, logReject, newContext, login, screenshots, waitSynced, useAppAndBrowser, signIn } from './support';

const env = useAppAndBrowser();

it('an operator logs a reject, a maintenance request and progress offline, reloads, comes back online, and a manager sees all three with server numbers', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');

  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');

  // A reject.
  await logReject(page, 7, 'E2E scratches on the top face');
  await page.getByRole('heading', { name: 'Reject (pending number)' }).waitFor();

  // A maintenance request.
  await goTo(page, 'Maintenance');
  await page.getByRole('link', { name: '+ New request' }).click();
  await page.getByLabel('Machine').selectOption({ label: 'PRS-03 — Servo press 100 t' });
  await page.getByLabel('Priority').selectOption('2');
  await page.getByLabel('What is wrong').fill('E2E light curtain trips at random');
  await page.getByRole('button', { name: 'Send request' }).click();
  await page.getByRole('heading', { name: 'Ticket (pending number)' }).waitFor();

  // Progress on the running Press stage.
  await goTo(page, 'Stages');
  await page.getByRole('button', { name: 'Working', exact: true }).click();
  await page.getByTestId('stage-list').getByRole('link').filter({ hasText: 'Atlas Copco' }).click();
  await page.getByLabel('Good parts', { exact: true }).fill('25');
  await page.getByRole('button', { name: 'Record progress' }).click();
  await page.getByText('Recorded 25 good and 0 rejected.').waitFor();
  const stageUrl = page.url();

  // The shell comes from the service worker, the data from IndexedDB.
  await page.reload();
  await page.getByText('25 good, 0 rejected').waitFor();
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Offline · 3 pending');
  // On a 360 px phone the longer offline status still fits the top bar: the page never scrolls sideways.
  await page.setViewportSize({ width: 360, height: 740 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.getByTestId('sync-status').getByText('Offline · 3 pending').waitFor();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshots(page, 'offline-stage-after-reload');
  await goTo(page, 'Rejects');
  await page.getByTestId('reject-list').getByText('pending number').waitFor();
  await expect(page.getByTestId('reject-list').getByText('pending number').count()).resolves.toBe(1);
  await screenshots(page, 'offline-rejects');

  // Signing out now would lose the three changes: refused, with the count and a way to send them.
  await goTo(page, 'Settings');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByTestId('logout-refused').textContent()).resolves.toContain('3 changes not yet synced');
  await screenshots(page, 'offline-logout-refused');

  await expect(page.getByTestId('logout-refused').getByRole('button', { name: 'Sync now' }).isVisible()).resolves.toBe(true);

  // Back online, the device sends everything by itself and the refusal goes away.
  await ctx.setOffline(false);
  await waitSynced(page);
  await page.getByTestId('logout-refused').waitFor({ state: 'detached' });
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Online · all sent');

  // A manager elsewhere sees all three, numbered by the server.
  const mctx = await newContext(env.browser, 1440, 900);
  const m = await mctx.newPage();
  await m.goto(env.app.url);
  await login(m, 'manager');
  await waitSynced(m);
  await goTo(m, 'Rejects');
  const reject = m.getByTestId('reject-list').getByRole('link').filter({ hasText: '7 × SCRATCH' });
  await reject.waitFor();
  await expect(reject.textContent()).resolves.toMatch(/REJ-\d{6}/);
  await screenshots(m, 'manager-rejects');
  await goTo(m, 'Maintenance');
  await m.getByLabel('Search').fill('E2E light curtain');
  const ticket = m.getByTestId('ticket-list').getByRole('link');
  await ticket.waitFor();
  await expect(ticket.textContent()).resolves.toMatch(/MT-\d{6}/);
  await ticket.click();
  await m.getByTestId('ticket-history').getByText('Raised').waitFor();
  await screenshots(m, 'manager-ticket');
  await m.goto(stageUrl);
  await m.getByText('25 good, 0 rejected').waitFor();
  await m.getByText('Olivia Operator (Press)').first().waitFor();
  await screenshots(m, 'manager-stage');
  await ctx.close();
  await mctx.close();
});
