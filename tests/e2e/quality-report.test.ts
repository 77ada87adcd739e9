// The Quality page: its charts render with a sortable table under each, the CSV downloads, and the
// last report shows offline "as of" when it was fetched.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { goTo, screenshots, signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

it('a manager sees the Pareto charts and tables, sorts a table, downloads the CSV, and sees the last report offline', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await goTo(page, 'Quality');
  await page.getByRole('heading', { name: 'Quality' }).waitFor();
  const defects = page.getByTestId('chart-defects');
  // Chart.js is loaded lazily and draws into the canvas; its accessible name carries the figures.
  await defects.locator('canvas').waitFor();
  await expect.poll(() => defects.locator('canvas').evaluate((c: HTMLCanvasElement) => c.width > 0 && c.height > 0)).toBe(true);
  await expect(defects.locator('canvas').getAttribute('aria-label')).resolves.toMatch(/^Rejected parts by defect code \(Pareto\): Rejected parts: BURR [^,]+ 12, RUN [^,]+ 5, DIM [^,]+ 3$/);
  await expect(page.locator('figure.chart canvas').count()).resolves.toBe(6);
  // The demo plant's three open rejects: BURR 12, RUN 5, DIM 3 of 20 → 60 %, 85 %, 100 %.
  const table = defects.getByRole('table', { name: 'Rejected parts by defect code' });
  const firstColumn = () => table.locator('tbody tr td:first-child').allTextContents();
  await expect.poll(firstColumn).toEqual([expect.stringMatching(/^BURR/), expect.stringMatching(/^RUN/), expect.stringMatching(/^DIM/)]);
  await expect(table.locator('tbody tr').first().textContent()).resolves.toContain('60.0 %');
  await table.getByRole('button', { name: 'Rejected parts' }).click();
  await expect.poll(firstColumn).toEqual([expect.stringMatching(/^DIM/), expect.stringMatching(/^RUN/), expect.stringMatching(/^BURR/)]);
  await expect(table.getByRole('columnheader', { name: /Rejected parts/ }).getAttribute('aria-sort')).resolves.toBe('ascending');
  await screenshots(page, 'quality-report');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^quality-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = readFileSync((await download.path())!);
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = csv.toString('utf8').slice(1);
  expect(text.split('\r\n')[0]).toBe('section,key,label,quantity,cumulative %,units in,scrapped,reworked,scrap rate,first-pass yield');
  expect(text).toMatch(/\r\nPareto by defect code,[0-9a-f-]{36},BURR [^,]+,12,60,/);

  // Offline, the last report is shown with the time it was fetched.
  await ctx.setOffline(true);
  await page.reload();
  await page.getByTestId('chart-defects').locator('canvas').waitFor();
  await page.getByRole('button', { name: 'Last 7 days' }).click();
  await expect.poll(() => page.getByTestId('report-as-of').textContent()).toMatch(/Showing the report of \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} as of /);
  await expect(page.getByRole('button', { name: 'Download CSV' }).isDisabled()).resolves.toBe(true);
  await screenshots(page, 'quality-report-offline');
  await ctx.close();
});

it('a supervisor on a phone sees their department only', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'supervisor.press', 360, 780);
  await page.goto(`${env.app.url}/quality`);
  const table = page.getByRole('table', { name: 'Rejected parts by department' });
  await expect.poll(() => table.locator('tbody tr td:first-child').allTextContents()).toEqual(['Press']);
  await expect(page.getByRole('combobox', { name: 'Department' }).count()).resolves.toBe(0);
  await expect(page.getByRole('combobox', { name: 'Product' }).count()).resolves.toBe(1);
  await expect(page.evaluate(() => document.documentElement.scrollWidth)).resolves.toBeLessThanOrEqual(360);
  await screenshots(page, 'quality-report-supervisor');
  await ctx.close();
});
