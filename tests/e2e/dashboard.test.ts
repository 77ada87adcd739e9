// The plant dashboard (issue 15 §2) in the browser: a manager lands on it and reads the demo plant's
// figures, a tile opens the list behind it filtered, a change made on another device shows without a
// reload (the poke), the last copy shows offline with its age, a manager narrows it to a department,
// and a supervisor's tablet shows their department only.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addDays, mondayOf } from '../../sync/kpi';
import { localToday } from '../../client/features/planning/board';
import { goTo, logReject, screenshots, signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

/**
 * The demo plant schedules nothing; the planners' board would. Straight in the server's database
 * (the dashboard reads it there): a press stage of 100 h on PRS-01 next Monday (over its week's
 * hours) and a paint stage on PNT-01 today.
 */
async function scheduleStages() {
  const db = env.app.running.deps.db;
  const machine = (code: string) => db.selectFrom('machines').select(['id', 'departmentId']).where('code', '=', code).executeTakeFirstOrThrow();
  const stageOf = (departmentId: string) => db.selectFrom('stages').select('id').where('departmentId', '=', departmentId).where('status', 'in', ['pending', 'ready'])
    .where('machineId', 'is', null).orderBy('id').executeTakeFirst()
    .then(async (s) => s ?? db.selectFrom('stages').select('id').where('departmentId', '=', departmentId).where('status', 'in', ['pending', 'ready']).orderBy('id').executeTakeFirstOrThrow());
  const today = localToday();
  const nextMonday = addDays(mondayOf(today), 7);
  for (const [code, day, minutes] of [['PRS-01', nextMonday, 6000], ['PNT-01', today, 240]] as const) {
    const m = await machine(code);
    const s = await stageOf(m.departmentId);
    await db.updateTable('stages').set({ machineId: m.id, scheduledStart: `${day}T06:00:00.000Z`, scheduledEnd: null, plannedMinutes: minutes }).where('id', '=', s.id).execute();
  }
}

/** The machine codes of a capacity week's table ("PRS-01", …), sorted. */
async function machinesOf(page: Page, week: 'this' | 'next') {
  return (await page.getByTestId(`capacity-${week}`).getByRole('table').locator('tbody tr td:first-child .cell-link').allTextContents()).sort();
}

it('a manager lands on the dashboard, reads the demo figures, opens the late orders, sees a change arrive, and reads the copy offline with its age', async () => {
  await scheduleStages();
  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  // The manager's home is the dashboard.
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/dashboard');

  // The demo plant: one open order past its due day (Alfa Laval, due yesterday), one on hold with its
  // reason (Epiroc), three rejects waiting for review, seven machines in three production departments.
  await expect.poll(() => page.getByTestId('tile-late').textContent()).toMatch(/^Late\s*1(?!\d)/);
  await expect(page.getByTestId('tile-late').getAttribute('href')).resolves.toBe('/orders?show=Late');
  const hold = page.getByTestId('alert-hold');
  await expect(hold.textContent()).resolves.toMatch(/1 on hold/);
  await expect(hold.getByRole('link', { name: /Epiroc — Customer changed the hole pattern/ }).count()).resolves.toBe(1);
  await expect(page.getByTestId('alert-rejects').textContent()).resolves.toMatch(/3 awaiting review/);
  await expect.poll(() => machinesOf(page, 'this')).toEqual(['ASM-01', 'ASM-02', 'PNT-01', 'PNT-02', 'PRS-01', 'PRS-02', 'PRS-03']);
  // The charts are drawn (Chart.js, loaded lazily), each with a table of the same figures under it.
  const orders = page.locator('figure.chart', { hasText: 'Orders by status' }).locator('canvas');
  await expect.poll(() => orders.evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0)).toBe(true);
  await expect(orders.getAttribute('aria-label')).resolves.toMatch(/^Orders by status: Orders: Draft \d+, Released \d+, In progress \d+, On hold 1, Completed \d+/);
  await expect(page.getByRole('table', { name: 'Orders by status' }).locator('tbody tr').count()).resolves.toBe(6);
  // Over capacity: PRS-01 next week, in red with the number, a warning sign on the chart's label and
  // the words in the table (colour is never the only sign).
  const next = page.getByTestId('capacity-next');
  await expect.poll(() => next.locator('canvas').getAttribute('aria-label')).toMatch(/Load: .*⚠ PRS-01 \d{3} %/);
  const prs01 = next.getByRole('table').locator('tbody tr', { hasText: 'PRS-01' });
  await expect(prs01.textContent()).resolves.toMatch(/\d{3} %\s*over capacity/);
  await expect(next.getByRole('table').locator('tbody tr', { hasText: 'PNT-01' }).textContent()).resolves.not.toMatch(/over capacity/);
  await expect(page.getByTestId('capacity-this').getByRole('table').locator('tbody tr', { hasText: 'PNT-01' }).textContent()).resolves.toMatch(/\d+ %.*4 h/);
  // OEE: the three factors beside each figure, for every machine; nothing produced reads "—", never "NaN".
  const oee = page.getByRole('table', { name: 'OEE by machine, today' });
  await expect(oee.locator('thead').textContent()).resolves.toMatch(/OEE.*Availability.*Performance.*Quality/);
  await expect(oee.locator('tbody tr').count()).resolves.toBe(7);
  await expect(page.locator('.dash').textContent()).resolves.not.toMatch(/NaN|undefined|Infinity/);
  await screenshots(page, 'dashboard-manager');

  // The Late tile opens the orders list with its "Late" chip pressed, showing the late order only.
  await page.getByTestId('tile-late').click();
  await page.getByRole('heading', { name: 'Orders' }).waitFor();
  expect(new URL(page.url()).search).toBe('?show=Late');
  await expect(page.getByRole('button', { name: 'Late', exact: true }).getAttribute('aria-pressed')).resolves.toBe('true');
  await expect.poll(() => page.getByTestId('order-list').getByRole('link').allTextContents()).toEqual([expect.stringContaining('Alfa Laval')]);

  // A reject logged on another device shows on the dashboard without a reload: the poke makes this
  // device pull, and a pull refreshes the dashboard (at most every 5 s).
  await goTo(page, 'Dashboard');
  await expect.poll(() => page.getByTestId('alert-rejects').textContent()).toMatch(/3 awaiting review/);
  const op = await signIn(env.browser, env.app.url, 'operator.press');
  await logReject(op.page, 9);
  await expect.poll(() => page.getByTestId('alert-rejects').textContent(), { timeout: 20_000 }).toMatch(/4 awaiting review/);
  await expect(page.getByTestId('alert-rejects').getByRole('link', { name: /9 × SCRATCH/ }).count()).resolves.toBe(1);
  await op.ctx.close();

  // Offline, a reload shows the copy kept on the device, with the time it was fetched and its age.
  await ctx.setOffline(true);
  await page.reload();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await expect.poll(() => page.getByTestId('dashboard-age').textContent()).toMatch(/^Offline: showing the dashboard as of \S.*, (just now|\d+ min ago)$/);
  await expect(page.getByTestId('tile-late').textContent()).resolves.toMatch(/^Late\s*1(?!\d)/);
  await expect(page.getByTestId('alert-rejects').textContent()).resolves.toMatch(/4 awaiting review/);
  await expect(page.getByTestId('dashboard-refresh').isDisabled()).resolves.toBe(true);
  await screenshots(page, 'dashboard-offline');
  await ctx.setOffline(false);

  // Back online, the manager narrows the dashboard to one department; Refresh asks again.
  await page.getByLabel('Department').selectOption({ label: 'Paint' });
  expect(new URL(page.url()).search).toMatch(/^\?departmentId=/);
  await expect.poll(() => machinesOf(page, 'next')).toEqual(['PNT-01', 'PNT-02']);
  await expect.poll(() => page.getByTestId('dashboard-age').textContent()).toMatch(/^Figures as of /);
  const asked = page.waitForRequest((r) => r.url().includes('/api/dashboard?departmentId='));
  await page.getByTestId('dashboard-refresh').click();
  await asked;
  await ctx.close();
});

it('a supervisor on a tablet sees their own department only, named, without a department choice', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'supervisor.press', 1024, 768);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/dashboard');
  await expect.poll(() => page.getByTestId('dashboard-scope').textContent()).toBe('Department Press');
  await expect(page.getByRole('combobox', { name: 'Department' }).count()).resolves.toBe(0);
  await expect.poll(() => machinesOf(page, 'this')).toEqual(['PRS-01', 'PRS-02', 'PRS-03']);
  await expect(page.getByTestId('oee-departments').getByRole('link').allTextContents()).resolves.toEqual([expect.stringMatching(/^Press/)]);
  // The press department's rejects waiting for review (the demo plant's on PRS-01 and PRS-02, and
  // any the first test logged), never the paint shop's RUN on PNT-01.
  const db = env.app.running.deps.db;
  const press = await db.selectFrom('departments').select('id').where('code', '=', 'PRS').executeTakeFirstOrThrow();
  const waiting = (await db.selectFrom('rejects').select('id').where('departmentId', '=', press.id).where('status', 'in', ['open', 'under_review']).execute()).length;
  expect(waiting).toBeGreaterThanOrEqual(2);
  const rejects = page.getByTestId('alert-rejects');
  await expect.poll(() => rejects.textContent()).toMatch(new RegExp(`^Rejects awaiting review${waiting} awaiting review`));
  const items = await rejects.getByRole('listitem').allTextContents();
  expect(items).toHaveLength(Math.min(5, waiting));
  for (const item of items) expect(item).toMatch(/· PRS-0\d ·/);
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(1024);
  await screenshots(page, 'dashboard-supervisor');
  // A phone: stacked, nothing wider than the screen (the charts follow their box once they resized).
  await page.setViewportSize({ width: 360, height: 780 });
  await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // The tablet view of the same department is one tap away.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.getByTestId('dashboard-floor').click();
  await page.getByRole('heading', { name: 'Floor now · Press' }).waitFor();
  await ctx.close();
});
