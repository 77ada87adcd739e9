// Lists read their filters from the URL and keep the URL in step (issue 15: a dashboard tile links to
// the list behind it, filtered). The parameter names are those of the list's CSV export (docs/api.md
// "List URLs"); changing a filter replaces the URL without adding a history entry.
import { expect, it } from 'vitest';
import { slaState } from '../../sync/sla';
import { byName } from '../../server/db/db';
import { signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

it('/rejects?show=All&machineId=… and /maintenance?sla=breached open filtered, with the filter shown as chosen; a changed filter shows in the URL', async () => {
  const db = byName(env.app.running.deps.db);
  const rejects = await db.selectFrom('rejects').selectAll().where('deletedAt', 'is', null).execute();
  const prs01 = await db.selectFrom('machines').selectAll().where('code', '=', 'PRS-01').executeTakeFirstOrThrow();
  const onPrs01 = rejects.filter((r: any) => r.machineId === prs01.id);
  expect(onPrs01.length).toBeGreaterThan(0);
  expect(onPrs01.length).toBeLessThan(rejects.length);

  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await page.goto(`${env.app.url}/rejects?show=All&machineId=${prs01.id}`);
  await page.getByTestId('reject-list').waitFor();
  await expect.poll(() => page.getByRole('button', { name: /^All \(/ }).getAttribute('aria-pressed')).toBe('true');
  expect(await page.getByRole('button', { name: /^Open \(/ }).getAttribute('aria-pressed')).toBe('false');
  expect(await page.getByLabel('Machine').inputValue()).toBe(prs01.id);
  await expect.poll(() => page.getByTestId('reject-list').getByRole('link').count()).toBe(onPrs01.length);
  expect(await page.getByTestId('reject-counts').innerText()).toContain(`${onPrs01.length} reject`);

  // A changed filter follows into the URL, replacing it (Back still leaves the list).
  const entries = await page.evaluate(() => history.length);
  await page.getByRole('button', { name: /^Open \(/ }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('show')).toBe('Open');
  expect(new URL(page.url()).searchParams.get('machineId')).toBe(prs01.id);
  const defect = rejects.find((r: any) => r.machineId === prs01.id)!.defectCodeId as string;
  await page.getByLabel('Defect code').selectOption(defect);
  await expect.poll(() => new URL(page.url()).searchParams.get('defectCodeId')).toBe(defect);
  await page.getByLabel('Machine').selectOption('');
  await expect.poll(() => new URL(page.url()).searchParams.has('machineId')).toBe(false);
  expect(await page.evaluate(() => history.length)).toBe(entries);
  // The download asks the export with the same filters.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^rejects-/);

  // Maintenance: the open tickets whose running SLA clock has run out (sync/sla.ts slaState, the export's rule).
  const now = new Date().toISOString();
  const tickets = await db.selectFrom('maintenanceTickets').selectAll().where('deletedAt', 'is', null).execute();
  const breached = tickets.filter((t: any) => slaState(t, now) === 'breached');
  expect(breached.length).toBeGreaterThan(0);
  expect(breached.length).toBeLessThan(tickets.filter((t: any) => ['open', 'assigned', 'in_progress', 'on_hold'].includes(t.status)).length);
  await page.goto(`${env.app.url}/maintenance?sla=breached`);
  await page.getByTestId('ticket-list').waitFor();
  expect(await page.getByLabel('SLA').inputValue()).toBe('breached');
  expect(await page.getByRole('button', { name: 'Open', exact: true }).getAttribute('aria-pressed')).toBe('true');
  const shown = page.getByTestId('ticket-list').getByRole('link');
  await expect.poll(() => shown.count()).toBe(breached.length);
  for (const t of breached) await page.getByTestId('ticket-list').getByText(t.description as string).waitFor();
  expect(await page.getByTestId('ticket-list').locator('[data-sla="breached"]').count()).toBe(breached.length);
  await page.getByLabel('SLA').selectOption('near');
  await expect.poll(() => new URL(page.url()).searchParams.get('sla')).toBe('near');
  const near = tickets.filter((t: any) => slaState(t, new Date().toISOString()) === 'near');
  await expect.poll(() => shown.count()).toBe(near.length);
  await ctx.close();
});
