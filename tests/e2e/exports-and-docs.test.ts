// The Download CSV buttons save what the list's filters show (through the signed-in client), and the
// API reference at /api/docs renders from the app's own files under the Content-Security-Policy.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { goTo, screenshots, signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

it('a manager downloads the Orders list as filtered, and the Rejects list, as CSV files with a BOM', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await goTo(page, 'Orders');
  await page.getByRole('button', { name: 'Late' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(download.suggestedFilename()).toMatch(/^orders-\d{4}-\d{2}-\d{2}\.csv$/);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
  expect(lines[0]).toMatch(/^Number,Customer,/);
  expect(lines).toHaveLength(2); // the header and the one late order of the demo plant
  expect(lines[1]).toContain('Alfa Laval');
  await screenshots(page, 'orders-download');

  await goTo(page, 'Rejects');
  const [rejects] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-csv').click()]);
  expect(rejects.suggestedFilename()).toMatch(/^rejects-/);
  await ctx.close();
});

it('an operator on a phone reads the Rejects list without CSV downloads, which the screens offer only to office roles', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  await page.goto(`${env.app.url}/rejects`);
  await page.getByRole('heading', { name: 'Rejects', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Open' }).first().waitFor();
  expect(await page.getByTestId('download-csv').count()).toBe(0);
  await ctx.close();
});

it('/api/docs shows the interactive reference of every route, from the app itself (no CDN, no CSP violation)', async () => {
  const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const { watch } = await import('./support');
  await watch(ctx);
  const page = await ctx.newPage();
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(env.app.url) && !r.url().startsWith('data:')) outside.push(r.url());
  });
  await page.goto(`${env.app.url}/api/docs`);
  await page.getByText('Barron PMS API').first().waitFor();
  await page.getByText('/api/sync/events').first().waitFor();
  await page.getByText('/api/orders/export.csv').first().waitFor();
  expect(outside).toEqual([]);
  await screenshots(page, 'api-docs');
  await ctx.close();
});
