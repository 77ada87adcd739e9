import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goTo, login, newContext, screenshots, useAppAndBrowser, waitSynced, signIn } from './support';

const env = useAppAndBrowser();

async function logReject(page: Page, machine: string, defect: string, qty: string) {
  await goTo(page, 'Rejects');
  await page.getByRole('link', { name: '+ Log a reject' }).click();
  await page.getByLabel('Machine').selectOption({ label: machine });
  await page.getByLabel('Defect').selectOption({ label: defect });
  await page.getByLabel('Quantity', { exact: true }).fill(qty);
  await page.getByRole('button', { name: 'Log reject' }).click();
  await page.getByRole('heading', { name: 'Reject (pending number)' }).waitFor();
}

async function switchUser(page: Page) {
  await goTo(page, 'Settings');
  await page.getByRole('button', { name: 'Switch user' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

it('operators sharing a tablet each keep their queued changes, and each is sent with its own session', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  await switchUser(page);
  await login(page, 'operator.paint');
  await waitSynced(page);

  await ctx.setOffline(true);
  await logReject(page, 'PNT-02 — Powder coating line', 'PEEL — Orange peel', '4');
  await switchUser(page);

  // Offline, someone who never signed in here cannot; Olivia can, with her own password only.
  await page.getByLabel('Username').fill('manager');
  await page.getByLabel('Password').fill('barron-demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('has not signed in on this device before').waitFor();
  await page.getByRole('button', { name: /Olivia Operator/ }).click();
  await page.getByLabel('Password').fill('not-her-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Wrong username or password.').waitFor();
  await expect(page.getByRole('button', { name: /Pat Operator/ }).textContent()).resolves.toContain('1 queued');
  await screenshots(page, 'shared-device-sign-in');
  await page.getByLabel('Password').fill('barron-demo-2026');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main', exact: true }).waitFor();
  await logReject(page, 'PRS-02 — Press 400 t', 'DENT — Dent or ding', '6');
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Offline · 1 pending');

  // Back online: Olivia's change goes with her session, Pat's with his, while Olivia stays signed in.
  await ctx.setOffline(false);
  await waitSynced(page);
  await goTo(page, 'Settings');
  await expect.poll(async () => page.locator('main').innerText(), { timeout: 15_000 }).toContain('Pat Operator (Paint) — all sent');

  const m = await (await newContext(env.browser, 1440, 900)).newPage();
  await m.goto(env.app.url);
  await login(m, 'manager');
  await waitSynced(m);
  await goTo(m, 'Rejects');
  const paint = m.getByTestId('reject-list').getByRole('link').filter({ hasText: '4 × PEEL' });
  const press = m.getByTestId('reject-list').getByRole('link').filter({ hasText: '6 × DENT' });
  await expect(paint.textContent()).resolves.toMatch(/REJ-\d{6}[\s\S]*by Pat Operator \(Paint\)/);
  await expect(press.textContent()).resolves.toMatch(/REJ-\d{6}[\s\S]*by Olivia Operator \(Press\)/);
  await ctx.close();
});
