import { expect, it } from 'vitest';
import { byName } from '../../server/db/db';
import { goTo, newContext, login, screenshots, signIn, useAppAndBrowser, waitSynced } from './support';

const env = useAppAndBrowser();
const TASK = 'Lubricate the slide and check the hydraulic oil';

it('a technician works a preventive ticket offline on a 360 px phone; back online the SLA report counts it by the times they acted, and the machine is idle again on a supervisor\'s screen', async () => {
  const db = byName(env.app.running.deps.db);
  // The job opened the plan due today at the server's start.
  const opened = await db.selectFrom('maintenanceTickets').selectAll().where('description', '=', TASK).where('status', '=', 'open').executeTakeFirstOrThrow();

  const { ctx, page } = await signIn(env.browser, env.app.url, 'technician', 360, 780);
  await goTo(page, 'Maintenance');
  await page.getByTestId('ticket-list').getByRole('link').filter({ hasText: TASK }).first().waitFor();
  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');

  await page.getByTestId('ticket-list').getByRole('link').filter({ hasText: TASK }).first().click();
  await page.getByTestId('sla-clocks').waitFor();
  await page.getByRole('button', { name: 'Take it' }).click();
  await page.getByRole('button', { name: 'Start work' }).click();
  const actedAt = Date.now();
  // A hold needs its reason: waiting for parts stops the resolution clock.
  await page.getByLabel('Hold reason (to put on hold)').selectOption('waiting_parts');
  await page.getByRole('button', { name: 'Put on hold' }).click();
  await page.getByText('Waiting for parts', { exact: true }).first().waitFor();
  await expect.poll(() => page.getByTestId('sla-clocks').textContent()).toContain('paused');
  await page.waitForTimeout(1500);
  await page.getByRole('button', { name: 'Resume work' }).click();

  // Completing with required items unticked is refused, with the items named.
  await page.getByRole('button', { name: 'Complete' }).click();
  await page.getByText('Tick every required checklist item first').waitFor();
  for (const item of ['Oil level between the marks', 'Grease the slide gibs', 'Check the hoses for leaks']) {
    await page.getByRole('button', { name: `Tick: ${item}` }).click();
    await page.getByRole('button', { name: `Untick: ${item}` }).waitFor();
  }
  await screenshots(page, 'maintenance-ticket-offline');
  await page.setViewportSize({ width: 360, height: 780 });
  await page.getByRole('button', { name: 'Complete' }).click();
  await page.getByText('Tick every required checklist item first').waitFor({ state: 'detached' });
  await expect.poll(() => page.getByTestId('ticket-facts').textContent()).toContain('met');
  const doneAt = Date.now();

  // The machine page shows the machine back to idle on the device, offline.
  await page.getByTestId('ticket-facts').getByRole('link', { name: /PRS-03/ }).click();
  await page.getByRole('heading', { name: 'PRS-03 Servo press 100 t' }).waitFor();
  await expect.poll(() => page.locator('.status').first().textContent()).toBe('idle');
  await page.waitForTimeout(3000); // the sync happens well after the work
  await ctx.setOffline(false);
  await waitSynced(page, 30_000);
  // The machine page fits a 360 px phone (offline, the shell's sync button is wider: not this page's).
  expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(360);

  // The server keeps the technician's times, not the sync's.
  const t = await db.selectFrom('maintenanceTickets').selectAll().where('id', '=', opened.id).executeTakeFirstOrThrow();
  expect(t.status).toBe('completed');
  expect(Date.parse(t.respondedAt)).toBeLessThanOrEqual(actedAt + 500);
  expect(Date.parse(t.completedAt)).toBeLessThanOrEqual(doneAt + 500);
  expect(Number(t.pausedSeconds)).toBeGreaterThanOrEqual(1);
  const plan = await db.selectFrom('preventivePlans').selectAll().where('id', '=', t.planId).executeTakeFirstOrThrow();
  expect(Date.parse(plan.nextDueAt)).toBe(Date.parse(t.completedAt) + 7 * 86_400_000);

  // A manager's report for PRS-03 counts the ticket as met on response, resolution and its plan date.
  const mctx = await newContext(env.browser, 1440, 900);
  const m = await mctx.newPage();
  await m.goto(env.app.url);
  await login(m, 'manager');
  await waitSynced(m);
  await goTo(m, 'Maintenance');
  await m.getByRole('navigation', { name: 'Maintenance' }).getByRole('link', { name: 'Report' }).click();
  await m.getByTestId('report-kpis').waitFor();
  const inFour = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10);
  await m.getByLabel('To', { exact: true }).fill(inFour);
  await m.getByLabel('Machine', { exact: true }).selectOption({ label: 'PRS-03 Servo press 100 t' });
  await expect.poll(() => m.getByTestId('report-kpis').textContent(), { timeout: 10_000 }).toContain('Response met (1 of 1)');
  await expect(m.getByTestId('report-kpis').textContent()).resolves.toContain('Resolution met (1 of 1)');
  await expect(m.getByTestId('report-kpis').textContent()).resolves.toContain('Preventive on time (1 of 1)');
  await m.locator('canvas').first().waitFor();
  await screenshots(m, 'maintenance-report');
  await mctx.close();

  // The Press supervisor sees PRS-03 idle again.
  const s = await signIn(env.browser, env.app.url, 'supervisor.press', 1440, 900);
  const prs03 = await db.selectFrom('machines').select('id').where('code', '=', 'PRS-03').executeTakeFirstOrThrow();
  await s.page.goto(`${env.app.url}/machines/${prs03.id}`);
  await s.page.getByRole('heading', { name: 'PRS-03 Servo press 100 t' }).waitFor();
  await expect.poll(() => s.page.locator('.status').first().textContent()).toBe('idle');
  await s.page.getByTestId('machine-history').getByText(TASK).waitFor();
  await screenshots(s.page, 'maintenance-machine');
  await s.ctx.close();
  await ctx.close();
});

it('a QR label of a machine that does not exist: the scanner says so and leaves the code typed, ready to correct', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'technician', 360, 780);
  await page.goto(`${env.app.url}/machines`);
  const code = page.getByLabel('Machine code');
  await code.waitFor();
  // What a scanned label holds: a link ending in the code (the same path a typed code takes).
  await code.fill('https://plant.local/portal/machine/NOPE-99');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByText('No machine has the code “NOPE-99”. Check the label, or type the code printed under it.').waitFor();
  expect(await code.inputValue()).toBe('NOPE-99');
  await code.fill('PRS-01');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.waitForURL(/\/machines\//);
  await ctx.close();
});
