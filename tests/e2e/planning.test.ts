import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureBuilt, goTo, SHOTS, launch, login, screenshots, startApp, waitControlled, waitSynced, type TestApp } from './support';

const FIXTURES = resolve(import.meta.dirname, '../fixtures');

let app: TestApp;
let browser: Browser;

beforeAll(async () => {
  await ensureBuilt();
  app = await startApp();
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** A fresh browser context signed in as `username` with its first sync done (the operator's with the service worker in control). */
async function signIn(username: string, viewport = { width: 1440, height: 900 }) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  await page.goto(app.url);
  await login(page, username);
  if (viewport.width < 600) await waitControlled(page);
  await waitSynced(page);
  return { ctx, page };
}

/** Today or the next Monday–Friday (a day with shifts in the default calendar), as the board counts days. */
function nextWorkingDay(): string {
  const d = new Date();
  while ([0, 6].includes(d.getDay())) d.setDate(d.getDate() + 1);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

async function schedule(m: Page, customer: string, machine: string, day: string) {
  await m.getByTestId('unscheduled-PRS').getByRole('button', { name: new RegExp(`^Schedule .*${customer}`) }).click();
  const dialog = m.getByTestId('schedule-dialog');
  await dialog.getByLabel('Machine').selectOption({ label: machine });
  await dialog.getByLabel('Day').fill(day);
  // The start stays as proposed: the machine's next free time that day (06:00 on an empty day).
  await dialog.getByRole('button', { name: 'Schedule', exact: true }).click();
  return dialog;
}

it('an operator completes a stage offline across a reload and the manager\'s board shows it done after sync', async () => {
  const day = nextWorkingDay();

  // The planner puts the running Press stage and a big job on PRS-01; the second goes over capacity.
  const { ctx: mctx, page: m } = await signIn('manager');
  await m.goto(`${app.url}/planning?week=${day}`);
  await m.getByTestId('unscheduled-PRS').waitFor();
  const first = await schedule(m, 'Atlas Copco', 'PRS-01 — Press 250 t', day);
  await first.waitFor({ state: 'detached' });
  const cell = m.getByTestId(`cell-PRS-01-${day}`);
  await cell.getByText('Atlas Copco').waitFor();

  const second = await schedule(m, 'Electrolux', 'PRS-01 — Press 250 t', day);
  await second.getByRole('heading', { name: 'Over capacity' }).waitFor();
  await expect(second.textContent()).resolves.toMatch(/PRS-01 would be over capacity/);
  await screenshots(m, 'board-over-capacity');
  await second.getByRole('button', { name: 'Schedule anyway' }).click();
  await second.waitFor({ state: 'detached' });
  await cell.getByText('Electrolux').waitFor();
  await expect(cell.getAttribute('class')).resolves.toContain('over');
  await waitSynced(m);
  await screenshots(m, 'board-scheduled');

  // The operator lands on the portal and works the stage, offline from the first count on.
  const { ctx, page } = await signIn('operator.press', { width: 390, height: 844 });
  await page.getByRole('heading', { name: 'Press · my work' }).waitFor();
  const card = page.getByRole('article', { name: /Atlas Copco, Blank and form/ });
  await card.waitFor();
  await screenshots(page, 'portal');

  // A machine by its typed code (a QR label holds the same code).
  await page.getByLabel('Machine code').fill('prs-01');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('heading', { name: 'PRS-01 Press 250 t' }).waitFor();
  await page.getByRole('article', { name: /Electrolux, Progressive die/ }).waitFor();
  await page.getByRole('link', { name: '← My work' }).click();

  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');
  await card.getByRole('button', { name: 'Count parts' }).click();
  await card.getByLabel('Good', { exact: true }).fill('180');
  await card.getByRole('button', { name: 'Reject plus 1' }).click();
  await card.getByRole('button', { name: 'Reject plus 1' }).click();
  await card.getByLabel('Defect').selectOption({ label: 'BURR — Burr on cut edge' });
  await screenshots(page, 'portal-count');
  await card.getByRole('button', { name: 'Save count' }).click();
  await card.getByText('300 of 300 good').waitFor();
  await expect(page.getByTestId('shift-counts').textContent()).resolves.toMatch(/180\s*good/);
  await card.getByRole('button', { name: 'Complete' }).click();
  await page.getByTestId('done-list').getByText('Atlas Copco').waitFor();

  await page.reload();
  await page.getByTestId('done-list').getByText('Atlas Copco').waitFor();
  await expect(page.getByRole('article', { name: /Atlas Copco, Blank and form/ }).count()).resolves.toBe(0);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Offline · 2 pending');
  await screenshots(page, 'portal-offline-after-reload');

  await ctx.setOffline(false);
  await waitSynced(page);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Online · all sent');

  // The manager's board shows the stage done after their next sync.
  await m.getByTestId('sync-status').click();
  await waitSynced(m);
  await cell.getByRole('button', { name: /Atlas Copco Blank and form, done/ }).waitFor();
  await screenshots(m, 'board-after-sync');
  await m.getByTestId('board').screenshot({ path: resolve(SHOTS, 'board-grid-1440.png') });
  await ctx.close();
  await mctx.close();
});

it('a planner imports the D365 fixture and sees the orders', async () => {
  const { ctx, page } = await signIn('manager');
  await goTo(page, 'Import');

  // A file with problems: they show in place and nothing can be committed.
  const file = page.getByLabel('Spreadsheet (.xlsx or .csv, up to 5 MB)');
  await file.setInputFiles(resolve(FIXTURES, 'orders-with-errors.csv'));
  await expect.poll(() => page.getByTestId('import-summary').textContent()).toMatch(/problem/);
  await expect(page.getByTestId('commit').isDisabled()).resolves.toBe(true);
  await expect(page.getByTestId('import-preview').locator('td.bad-cell').count()).resolves.toBeGreaterThan(0);
  await screenshots(page, 'import-errors');

  // Too large a file is refused with the limit named.
  const big = Buffer.from(`Order ref,Customer,Due date,SKU,Quantity\n${'PO-1,ACME,2026-12-10,BRK-100,1\n'.repeat(200_000)}`);
  await file.setInputFiles({ name: 'too-big.csv', mimeType: 'text/csv', buffer: big });
  await page.getByRole('alert').filter({ hasText: 'larger than 5 MB' }).waitFor();

  // A CSV whose header row is a D365 export: read in the browser, it selects the D365 preset before the dry run.
  await file.setInputFiles({ name: 'd365-lines.csv', mimeType: 'text/csv', buffer: Buffer.from('Sales order,Customer name,Requested ship date,Item number,Quantity,Line description\nSO-9,ACME,12/10/2026,BRK-100,2,Bracket\n') });
  await page.getByTestId('preset-detected').filter({ hasText: 'Dynamics 365' }).waitFor();
  await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain('1 line → 1 order. No problems found.');
  await page.getByLabel('Column preset').selectOption('generic');
  await page.getByRole('alert').filter({ hasText: 'The column mapping does not fit this sheet' }).waitFor();

  // The D365 export: the server's dry run answers its headers, and the D365 preset is picked for the planner.
  await file.setInputFiles(resolve(FIXTURES, 'd365-sales-order-lines.xlsx'));
  await page.getByTestId('preset-detected').filter({ hasText: 'Dynamics 365' }).waitFor();
  await expect.poll(() => page.getByLabel('Column preset').inputValue()).toBe('d365');
  await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain('3 lines → 2 orders. No problems found.');

  // The same file under the generic preset: the missing columns are named at their fields, the sheet's headers offered.
  await page.getByLabel('Column preset').selectOption('generic');
  await page.getByRole('alert').filter({ hasText: 'The column mapping does not fit this sheet' }).waitFor();
  await expect(page.getByLabel('Product SKU *').locator('option').allTextContents()).resolves.toContain('Item number');
  await screenshots(page, 'import-mapping-mismatch');

  // The same file with the D365 preset.
  await page.getByLabel('Column preset').selectOption('d365');
  await expect.poll(() => page.getByTestId('import-summary').textContent()).toContain('3 lines → 2 orders. No problems found.');
  await expect(page.getByLabel('Product SKU *').inputValue()).resolves.toBe('Item number');
  await screenshots(page, 'import-preview');
  await page.getByRole('button', { name: 'Import 2 orders' }).click();
  const done = page.getByTestId('import-done');
  await done.waitFor();
  await expect(done.textContent()).resolves.toMatch(/Imported 2 orders with 3 lines: ORD-\d+ \(SO-004711\), ORD-\d+ \(SO-004712\)/);
  await waitSynced(page);

  await goTo(page, 'Orders');
  await page.getByLabel('Search').fill('SO-0047');
  const list = page.getByTestId('order-list');
  await list.getByText('Volvo Cars Torslanda').waitFor();
  await list.getByText('Scania Södertälje').waitFor();
  await expect(list.getByRole('link').count()).resolves.toBe(2);
  await screenshots(page, 'orders-imported');
  await list.getByRole('link').filter({ hasText: 'SO-004711' }).click();
  await page.getByRole('region', { name: 'Item BRK-100' }).getByText('Blank and form').waitFor();
  await page.getByRole('region', { name: 'Item CLP-400' }).getByText('Progressive die').waitFor();
  await screenshots(page, 'order-imported-detail');
  await ctx.close();
});

it('a planner creates an order from the routing, edits a stage, holds the order with a reason and resumes it', async () => {
  const { ctx, page } = await signIn('manager');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor(); // a manager's landing page (issue 15 §2)
  await goTo(page, 'Orders');
  await page.getByRole('heading', { name: 'Orders' }).waitFor();
  await page.getByRole('link', { name: '+ New order' }).click();
  await page.getByLabel('Customer', { exact: true }).fill('E2E Kinnarps');
  await page.getByLabel('Due date').fill('2027-02-15');
  await page.getByLabel('Priority').selectOption('2');
  await page.getByLabel('Product 1').selectOption({ label: 'PNL-300 — Control panel door' });
  await page.getByLabel('Quantity 1').fill('50');
  await page.getByText('Stages from the routing: Punch and bend (PRS) → Paint (PNT).').waitFor();
  await screenshots(page, 'order-new');
  await page.getByRole('button', { name: 'Create order' }).click();
  await page.getByRole('heading', { name: 'Order (pending number)' }).or(page.getByRole('heading', { name: /Order ORD-\d+/ })).waitFor();

  await page.getByRole('button', { name: 'Edit stage 2 Paint' }).click();
  await page.getByLabel('Stage name').fill('Paint RAL 7035');
  await page.getByLabel('Planned minutes').fill('300');
  await page.getByRole('button', { name: 'Save stage' }).click();
  await page.getByRole('cell', { name: 'Paint RAL 7035', exact: true }).waitFor();

  await page.getByRole('button', { name: 'Release to the floor' }).click();
  await page.getByRole('button', { name: 'Put on hold…' }).click();
  await page.getByRole('button', { name: 'Hold the order' }).click();
  await page.getByText('Say why the order is held').waitFor();
  await page.getByLabel('Reason for the hold').fill('Waiting for the customer to confirm the colour');
  await page.getByRole('button', { name: 'Hold the order' }).click();
  await page.getByTestId('order-facts').getByText('Waiting for the customer to confirm the colour').waitFor();
  await expect(page.getByRole('cell', { name: 'blocked', exact: true }).count()).resolves.toBeGreaterThan(0);
  // The stage edit made before the order had synced holds on the server too: no sync issue, same name.
  await waitSynced(page);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toMatch(/Order ORD-\d+/);
  await page.getByRole('cell', { name: 'Paint RAL 7035', exact: true }).waitFor();
  await page.getByRole('cell', { name: '300 min', exact: true }).waitFor();
  await expect(page.evaluate(() => (globalThis as any).barron.openIssues.value)).resolves.toBe(0);
  await screenshots(page, 'order-held');
  await page.getByRole('button', { name: 'Resume (released)' }).click();
  await page.getByTestId('order-actions').getByRole('button', { name: 'Put on hold…' }).waitFor();
  await ctx.close();
});
