// Floor now and My production (issue 15 §2): a supervisor's tablet shows today's stages of Press with
// their output against plan; an operator counts parts on a phone offline and sees "my production" go up
// at once; after the phone syncs, the supervisor's open floor view shows the new count by itself.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goTo, screenshots, signIn, useAppAndBrowser, waitSynced } from './support';

const env = useAppAndBrowser();

/** The device's date, as the board and the floor count "today". */
function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The supervisor puts the running Atlas Copco press stage on PRS-01 today, through the board. */
async function scheduleToday(page: Page, customer: string) {
  const day = today();
  await page.goto(`${env.app.url}/planning?week=${day}`);
  await page.getByTestId('unscheduled-PRS').getByRole('button', { name: new RegExp(`^Schedule .*${customer}`) }).click();
  const dialog = page.getByTestId('schedule-dialog');
  await dialog.getByLabel('Machine').selectOption({ label: 'PRS-01 — Press 250 t' });
  await dialog.getByLabel('Day').fill(day);
  await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
  // On a day without shifts (a weekend) the board asks about capacity first.
  const anyway = dialog.getByRole('button', { name: 'Schedule anyway' });
  await Promise.race([dialog.waitFor({ state: 'detached' }), anyway.waitFor().then(() => anyway.click())]);
  await dialog.waitFor({ state: 'detached' });
  await page.getByTestId(`cell-PRS-01-${day}`).getByText(customer).waitFor();
  await waitSynced(page);
}

it('the supervisor sees today\'s stages with counts; an operator\'s offline count shows in My production at once and on the floor view after sync', async () => {
  const sup = await signIn(env.browser, env.app.url, 'supervisor.press', 1024, 768);
  await scheduleToday(sup.page, 'Atlas Copco');
  await goTo(sup.page, 'Floor now');
  await sup.page.getByRole('heading', { name: 'Floor now · Press' }).waitFor();
  const stage = sup.page.getByRole('article', { name: /Atlas Copco, Blank and form/ });
  // 300 on the item, 120 good made before today: 180 planned today, none made yet.
  await expect.poll(() => stage.getByTestId('floor-output').textContent()).toBe('0good todayof 180 planned0 %');
  await stage.getByText('RUNNING').waitFor();
  await stage.getByText('Stage: 120 of 300 good').waitFor();
  // PRS-01 runs it (state as a word, not only a colour); the other presses are idle.
  const machines = sup.page.getByTestId('floor-machines');
  await machines.getByRole('listitem', { name: 'PRS-01 running' }).getByText('Blank and form').waitFor();
  await machines.getByRole('listitem', { name: 'PRS-03 idle' }).waitFor();
  // A ready stage not scheduled today is not on today's floor.
  await expect(sup.page.getByRole('article', { name: /Husqvarna/ }).count()).resolves.toBe(0);
  // The demo seed logs some Press output in the last hours (which shift it falls in depends on the time of day):
  // the department's count is read first, and the operator's 25 must add to it.
  const goodOf = (text: string | null) => Number(/^(\d+)good/.exec(text ?? '')?.[1]);
  const floorGood = goodOf(await sup.page.getByTestId('floor-good').textContent());
  expect(floorGood).toBeGreaterThanOrEqual(0);
  await expect(sup.page.getByTestId('floor-plan').textContent()).resolves.toBe("0 %of today's plan: 0 of 180");

  // The operator's phone, offline: a count of 25 good on the portal.
  const op = await signIn(env.browser, env.app.url, 'operator.press', 360, 800);
  await op.page.getByRole('heading', { name: 'Press · my work' }).waitFor();
  // Atlas Copco is not among my stages yet (the seed's own Press output may list others this shift).
  await expect(op.page.getByTestId('my-stages').getByRole('link', { name: /Atlas Copco/ }).count()).resolves.toBe(0);
  const mine = op.page.getByTestId('shift-counts');
  const counts = (text: string | null) => /^(\d+)good(\d+)rejected(\d+)min down$/.exec(text ?? '')!.slice(1).map(Number);
  const [myGood, myRejected, myDown] = counts(await mine.locator('.counts-grid').textContent());
  await op.ctx.setOffline(true);
  await expect.poll(() => op.page.getByTestId('sync-headline').textContent()).toContain('Offline');
  const card = op.page.getByRole('article', { name: /Atlas Copco, Blank and form/ });
  await card.getByRole('button', { name: 'Count parts' }).click();
  await card.getByLabel('Good', { exact: true }).fill('25');
  await card.getByRole('button', { name: 'Save count' }).click();
  await card.getByText('145 of 300 good').waitFor();
  await expect.poll(() => mine.locator('.counts-grid').textContent()).toBe(`${myGood + 25}good${myRejected}rejected${myDown}min down`);
  const myStage = op.page.getByTestId('my-stages').getByRole('link', { name: /Atlas Copco · Blank and form/ });
  await expect(myStage.textContent()).resolves.toMatch(/145 of 300 good\s*48 %.*: 25 good, 0 rejected$/);
  await screenshots(op.page, 'floor-my-production');
  // At 360 px My production fits the screen (the offline top bar's own width is the shell's business).
  await op.page.setViewportSize({ width: 360, height: 800 });
  expect(await op.page.evaluate(() => Math.max(...[...document.querySelectorAll('[data-testid=shift-counts] *')].map((el) => el.getBoundingClientRect().right)))).toBeLessThanOrEqual(360);

  // Still offline: the supervisor's floor has not seen it.
  await expect(stage.getByTestId('floor-output').textContent()).resolves.toBe('0good todayof 180 planned0 %');

  // Back online, the phone sends it; the floor view updates by itself (no reload, no tap).
  await op.ctx.setOffline(false);
  await waitSynced(op.page);
  await expect.poll(() => stage.getByTestId('floor-output').textContent(), { timeout: 15_000 }).toBe('25good todayof 180 planned14 %');
  await stage.getByText('Stage: 145 of 300 good').waitFor();
  await expect(sup.page.getByTestId('floor-good').textContent()).resolves.toBe(`${floorGood + 25}good`);
  await expect(sup.page.getByTestId('floor-plan').textContent()).resolves.toBe("14 %of today's plan: 25 of 180");
  await screenshots(sup.page, 'floor-now');
  await sup.page.setViewportSize({ width: 1024, height: 768 });
  expect(await sup.page.evaluate(() => document.scrollingElement!.scrollWidth)).toBe(1024);
  await op.ctx.close();
  await sup.ctx.close();
});

it('a manager chooses the department; an operator has no Floor now', async () => {
  const m = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await m.page.goto(`${env.app.url}/floor`);
  // A manager has no department: the first one (by name) with machines.
  await m.page.getByRole('heading', { name: 'Floor now · Assembly' }).waitFor();
  await m.page.getByLabel('Department').selectOption({ label: 'Paint' });
  await m.page.getByRole('heading', { name: 'Floor now · Paint' }).waitFor();
  expect(new URL(m.page.url()).search).toBe('?dept=PNT');
  await m.page.getByTestId('floor-machines').getByRole('listitem', { name: /^PNT-01 / }).waitFor();
  await m.ctx.close();

  const op = await signIn(env.browser, env.app.url, 'operator.press');
  await expect(op.page.getByRole('navigation', { name: 'Main', exact: true }).getByRole('link', { name: 'Floor now' }).count()).resolves.toBe(0);
  await op.page.goto(`${env.app.url}/floor`);
  await op.page.getByText('Your role has no access to this page.').waitFor();
  await op.ctx.close();
});
