import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goTo, screenshots, useAppAndBrowser, signIn } from './support';

const env = useAppAndBrowser();

/** Everything Press-only in the demo plant: its machines, its stage names, what Press people wrote. */
const PRESS = /PRS-0\d|Press 250|Press 400|Servo press|Blank and form|Deep draw|Punch and bend|Progressive die|Hydraulic leak|Olivia Operator|Burr on the long edge|Hole pitch/;

async function mainText(page: Page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ');
}

it('a Paint operator never sees Press data', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.paint');

  // Nothing of Press is even on the device.
  const held = await page.evaluate(async () => {
    const app = (globalThis as any).barron;
    const db = app.engine.value.db;
    const dept = app.user.value.departmentId;
    const foreign: Record<string, number> = {};
    for (const t of ['stages', 'jobEvents', 'rejects', 'maintenanceTickets', 'maintenanceEvents']) {
      foreign[t] = (await db.table(t).toArray()).filter((r: { departmentId: string }) => r.departmentId !== dept).length;
    }
    const orders = await db.table('orders').toArray();
    foreign.orders = orders.filter((o: { departmentIds: string[] }) => !o.departmentIds.includes(dept)).length;
    return { foreign, stages: await db.table('stages').count(), rejects: await db.table('rejects').count() };
  });
  expect(held.foreign).toEqual({ stages: 0, jobEvents: 0, rejects: 0, maintenanceTickets: 0, maintenanceEvents: 0, orders: 0 });
  expect(held.stages).toBeGreaterThan(0);
  expect(held.rejects).toBeGreaterThan(0);

  // Nor on any page the operator opens.
  await goTo(page, 'Stages');
  await page.getByTestId('stage-list').waitFor();
  expect(await mainText(page)).not.toMatch(PRESS);
  expect(await mainText(page)).toMatch(/Paint|Powder/);
  await screenshots(page, 'paint-stages');

  await goTo(page, 'Rejects');
  await page.getByRole('button', { name: /^All \(\d+\)$/ }).click();
  await page.getByTestId('reject-list').waitFor();
  expect(await mainText(page)).not.toMatch(PRESS);
  expect(await mainText(page)).toContain('RUN');
  await screenshots(page, 'paint-rejects');

  await page.getByRole('link', { name: '+ Log a reject' }).click();
  const machines = await page.getByLabel('Machine').locator('option').allInnerTexts();
  expect(machines.join(' ')).not.toMatch(PRESS);
  expect(machines.join(' ')).toMatch(/PNT-01/);
  await screenshots(page, 'paint-new-reject');

  await goTo(page, 'Maintenance');
  await page.getByRole('button', { name: 'All', exact: true }).click();
  await page.getByTestId('ticket-list').waitFor();
  expect(await mainText(page)).not.toMatch(PRESS);
  expect(await mainText(page)).toContain('Extraction fan');
  await screenshots(page, 'paint-maintenance');
  await ctx.close();
});
