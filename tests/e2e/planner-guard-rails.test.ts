// The planner's guard rails (issue 10): the board sequences work on a machine (next free start, the
// overlap question, drag and drop, one day at a time on a phone), a past due date asks first, and
// hold requests from the floor reach the planner, who grants or declines them.
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { uuidv7 } from '../../sync/ids';
import { tokenFor } from '../setup/helpers';
import type { Harness } from '../setup/harness';
import { SHOTS, screenshots, signIn, useAppAndBrowser, waitSynced } from './support';

const env = useAppAndBrowser();

/** Today or the next Monday–Friday (a day with shifts in the default calendar), as the board counts days. */
function nextWorkingDay(): string {
  const d = new Date();
  while ([0, 6].includes(d.getDay())) d.setDate(d.getDate() + 1);
  return isoDay(d);
}
function isoDay(d: Date) {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
const day = nextWorkingDay();

async function openSchedule(m: Page, customer: string) {
  await m.getByTestId('unscheduled-PRS').getByRole('button', { name: new RegExp(`^Schedule .*${customer}`) }).click();
  return m.getByTestId('schedule-dialog');
}

/**
 * Drags `source` onto `target` with Playwright's `dragTo` (a native mouse drag, so the browser fires
 * the HTML5 drag events). A drag that has to scroll the page to reach its target never starts in
 * Chromium, so the viewport is made tall enough to show the grid and the unscheduled list at once.
 */
async function drag(page: Page, source: Locator, target: Locator) {
  const before = page.viewportSize();
  await page.setViewportSize({ width: 1440, height: 2400 });
  await source.dragTo(target);
  if (before) await page.setViewportSize(before);
}

/** The start–end times of the stage chips in a cell, top to bottom. */
const chipTimes = (m: Page, cell: string) => m.getByTestId(cell).locator('.chip-stage .t').allTextContents();

it('a second stage on a machine is proposed after the first; an overlapping time asks first; the cell lists both in time order', async () => {
  const { ctx, page: m } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await m.goto(`${env.app.url}/planning?week=${day}`);
  const cell = `cell-PRS-02-${day}`;

  const first = await openSchedule(m, 'ABB Robotics'); // Punch and bend, 3 h
  await first.getByLabel('Machine').selectOption({ label: 'PRS-02 — Press 400 t' });
  await first.getByLabel('Day').fill(day);
  await expect(first.getByLabel('Start').inputValue()).resolves.toBe('06:00');
  await first.getByRole('button', { name: 'Schedule', exact: true }).click();
  await first.waitFor({ state: 'detached' });
  await expect.poll(() => chipTimes(m, cell)).toEqual(['06:00–09:00']);

  const second = await openSchedule(m, 'Sandvik Coromant'); // Deep draw, 4 h
  await second.getByLabel('Machine').selectOption({ label: 'PRS-02 — Press 400 t' });
  await second.getByLabel('Day').fill(day);
  await expect(second.getByLabel('Start').inputValue()).resolves.toBe('09:00');
  await second.getByLabel('Start').fill('07:00');
  await second.getByRole('button', { name: 'Schedule', exact: true }).click();
  await second.getByRole('heading', { name: 'Overlaps another stage' }).waitFor();
  await expect(second.textContent()).resolves.toMatch(/PRS-02 has another stage from 06:00 to 09:00/);
  await second.getByRole('button', { name: 'Use 09:00 instead' }).waitFor();
  await screenshots(m, 'board-overlap-question');
  await second.getByRole('button', { name: 'Schedule anyway' }).click();
  await second.waitFor({ state: 'detached' });
  await expect.poll(() => chipTimes(m, cell)).toEqual(['06:00–09:00', '07:00–11:00']);
  await m.getByTestId(cell).getByText('⚠ overlaps').first().waitFor();

  // ABB's Paint stage put before its Press stage is flagged on its chip.
  await m.getByTestId('unscheduled-PNT').getByRole('button', { name: /^Schedule .*ABB Robotics/ }).click();
  const paint = m.getByTestId('schedule-dialog');
  await paint.getByLabel('Machine').selectOption({ label: 'PNT-01 — Paint booth 1' });
  await paint.getByLabel('Day').fill(day);
  await paint.getByLabel('Start').fill('05:00');
  await paint.getByRole('button', { name: 'Schedule', exact: true }).click();
  await paint.waitFor({ state: 'detached' });
  await m.getByTestId(`cell-PNT-01-${day}`).getByRole('button', { name: /ABB Robotics Paint/ }).getByText('⚠ before Punch and bend').waitFor();
  await waitSynced(m);
  await ctx.close();
});

it('dragging a stage onto a machine\'s day schedules it at that day\'s next free start', async () => {
  const { ctx, page: m } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await m.goto(`${env.app.url}/planning?week=${day}`);
  const husqvarna = m.getByTestId('unscheduled-PRS').locator('li', { hasText: 'Husqvarna' }); // Blank and form, 6 h
  await drag(m, husqvarna, m.getByTestId(`cell-PRS-03-${day}`));
  await expect.poll(() => chipTimes(m, `cell-PRS-03-${day}`)).toEqual(['06:00–12:00']);

  // A scheduled chip moves the same way: on PRS-02 it goes after the stages already there (ending 11:00).
  await drag(m, m.getByTestId(`cell-PRS-03-${day}`).getByRole('button', { name: /Husqvarna/ }), m.getByTestId(`cell-PRS-02-${day}`));
  await expect.poll(() => chipTimes(m, `cell-PRS-02-${day}`)).toEqual(['06:00–09:00', '07:00–11:00', '11:00–17:00']);
  await expect.poll(() => chipTimes(m, `cell-PRS-03-${day}`)).toEqual([]);
  await waitSynced(m);
  await screenshots(m, 'board-sequenced');
  await m.getByTestId('board').screenshot({ path: resolve(SHOTS, 'board-sequenced-grid-1440.png') });
  await ctx.close();
});

it('the board on a phone shows one day at a time with previous and next', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 390, 844);
  await page.goto(`${env.app.url}/planning?week=${day}`);
  const label = page.getByTestId('board-day');
  await label.waitFor();
  await expect(page.locator('table.board thead th').count()).resolves.toBe(2); // the machine column and one day
  await page.getByTestId(`cell-PRS-02-${day}`).waitFor();
  const shown = await label.textContent();
  await page.getByRole('button', { name: 'Next day' }).click();
  await expect.poll(() => label.textContent()).not.toBe(shown);
  await page.getByRole('button', { name: 'Previous day' }).click();
  await expect.poll(() => label.textContent()).toBe(shown);
  await page.getByTestId(`cell-PRS-02-${day}`).getByText('Husqvarna').waitFor();
  await page.screenshot({ path: resolve(SHOTS, 'board-day-390.png') });
  await page.getByTestId('board').scrollIntoViewIfNeeded();
  await page.getByTestId(`cell-PRS-02-${day}`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: resolve(SHOTS, 'board-day-390-press.png') });
  await ctx.close();
});

it('a new order with a due date in the past asks before it is created', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await page.goto(`${env.app.url}/orders/new`);
  const yesterday = isoDay(new Date(Date.now() - 86_400_000));
  await page.getByLabel('Customer', { exact: true }).fill('Late Entry AB');
  await page.getByLabel('Due date').fill(yesterday);
  await page.getByTestId('past-due-warning').waitFor();
  await page.getByLabel('Product 1').selectOption({ label: 'CLP-400 — Spring clip' });
  await page.getByLabel('Quantity 1').fill('100');
  await page.getByRole('button', { name: 'Create order' }).click();
  const ask = page.getByRole('dialog', { name: 'Due date has passed' });
  await ask.waitFor();
  await expect(ask.textContent()).resolves.toContain(`The due date ${yesterday} has passed. Create the order anyway?`);
  await screenshots(page, 'new-order-past-due');
  await ask.getByRole('button', { name: 'Create the order anyway' }).click();
  await page.getByRole('heading', { name: /^Order / }).waitFor();
  await page.getByTestId('order-facts').getByText('Late Entry AB').waitFor();
  await waitSynced(page);
  await ctx.close();
});

it('hold requests from the floor wait for the planner, who grants one (the order goes on hold) and declines one with a note', async () => {
  // operator.press asks from the floor, through the sync API as their device would.
  const db = env.app.running.deps.db;
  const h = { deps: env.app.running.deps } as unknown as Harness;
  const token = await tokenFor(h, 'operator.press');
  const orderOf = (customer: string) => db.selectFrom('orders').selectAll().where('customerName', '=', customer).executeTakeFirstOrThrow();
  const husqvarna = await orderOf('Husqvarna');
  const abb = await orderOf('ABB Robotics');
  const press = await db.selectFrom('stages').selectAll().where('orderId', '=', husqvarna.id).where('sequence', '=', 1).executeTakeFirstOrThrow();
  const grantId = uuidv7();
  const declineId = uuidv7();
  const r = await fetch(`${env.app.url}/api/sync/push`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: uuidv7(), schemaVersion: 1, mutations: [
      { id: grantId, seq: 1, name: 'holdRequest.create', args: { id: grantId, orderId: husqvarna.id, stageId: press.id, reason: 'Sheets are 2.5 mm, the drawing says 3 mm' }, at: new Date().toISOString() },
      { id: declineId, seq: 2, name: 'holdRequest.create', args: { id: declineId, orderId: abb.id, reason: 'Die looks worn' }, at: new Date().toISOString() },
    ] }),
  });
  expect(r.status).toBe(200);
  expect((await r.json()).results.map((x: { status: string }) => x.status)).toEqual(['applied', 'applied']);

  const { ctx, page: m } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await m.goto(`${env.app.url}/planning?week=${day}`);
  await m.getByTestId('hold-alert').getByText('2 hold requests waiting').waitFor();
  await m.goto(`${env.app.url}/orders`);
  const alert = m.getByTestId('hold-alert');
  await alert.getByRole('button', { name: /2 hold requests waiting/ }).click();
  await alert.getByText('Die looks worn').waitFor();
  await alert.getByRole('link', { name: /Husqvarna/ }).click();

  const card = m.getByTestId('order-hold-requests');
  await card.getByText('Sheets are 2.5 mm, the drawing says 3 mm').waitFor();
  await card.getByText('1. Blank and form').waitFor();
  await screenshots(m, 'order-hold-request');
  await card.getByRole('button', { name: 'Grant: hold the order' }).click();
  await card.waitFor({ state: 'detached' });
  await m.getByTestId('order-facts').getByText('Sheets are 2.5 mm, the drawing says 3 mm').waitFor();
  await m.locator('.page-head .status', { hasText: 'On hold' }).waitFor();

  await m.goto(`${env.app.url}/orders/${abb.id}`);
  const abbCard = m.getByTestId('order-hold-requests');
  await abbCard.getByRole('button', { name: 'Decline…' }).click();
  await abbCard.getByRole('button', { name: 'Decline the request' }).click();
  await abbCard.getByText('Say why the request is declined').waitFor();
  await abbCard.getByLabel('Why is it declined?').fill('Checked it: within tolerance, keep running');
  await abbCard.getByRole('button', { name: 'Decline the request' }).click();
  await abbCard.waitFor({ state: 'detached' });
  await waitSynced(m);
  await expect(m.locator('.page-head .status').textContent()).resolves.not.toBe('On hold');

  const answered = await db.selectFrom('holdRequests').selectAll().where('id', 'in', [grantId, declineId]).orderBy('orderId').execute();
  expect(Object.fromEntries(answered.map((x) => [x.id, [x.status, x.answerNote]]))).toEqual({ [grantId]: ['granted', null], [declineId]: ['declined', 'Checked it: within tolerance, keep running'] });
  expect((await orderOf('Husqvarna'))).toMatchObject({ status: 'on_hold', holdReason: 'Sheets are 2.5 mm, the drawing says 3 mm' });
  await ctx.close();
});
