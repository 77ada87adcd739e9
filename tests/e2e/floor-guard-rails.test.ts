// The floor's guard rails on the screens (issue 10): completing short asks with the counts (offline too)
// and a supervisor reopens; rejected parts ask for a defect code and reach the rejects list; a correction
// lowers the count; a busy machine offers to pause the other stage; a hold request gets its answer.
// The tests share one server and run in order: each starts from where the one before left the demo plant.
import { expect, it } from 'vitest';
import { uuidv7 } from '../../sync/ids';
import { DEMO_PASSWORD } from '../../server/seed';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { goTo, screenshots, SHOTS, signIn, useAppAndBrowser, waitSynced } from './support';

const env = useAppAndBrowser();

/** The full-page pair, and what the screen shows with the dialog open (a full-page shot spreads a modal's backdrop). */
async function dialogShots(page: Page, name: string) {
  await screenshots(page, name);
  const before = page.viewportSize();
  for (const [width, height] of [[390, 844], [1440, 900]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(SHOTS, `${name}-screen-${width}.png`) });
  }
  if (before) await page.setViewportSize(before);
}

/** The Atlas Copco press stage (running, 120 of 300 good) as the server holds it now. */
function serverStage(customer: string, name = 'Blank and form') {
  return env.app.running.deps.db.selectFrom('stages').innerJoin('orders', 'orders.id', 'stages.orderId')
    .select(['stages.id', 'stages.status', 'stages.goodQty', 'stages.rejectQty', 'stages.machineId'])
    .where('orders.customerName', '=', customer).where('stages.name', '=', name).executeTakeFirstOrThrow();
}

it('(a) an operator offline completes a stage short after seeing the counts; after sync the server has it done, and a supervisor reopens it', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  await page.getByRole('heading', { name: 'Press · my work' }).waitFor();
  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');

  const card = page.getByRole('article', { name: /Atlas Copco, Blank and form/ });
  await card.getByRole('button', { name: 'Complete' }).click();
  const dialog = page.getByRole('dialog', { name: 'Fewer parts than planned' });
  await dialog.getByText('Only 120 good of 300 planned. Complete anyway?').waitFor();
  await dialogShots(page, 'guard-portal-complete-short');
  // No: nothing changes.
  await dialog.getByRole('button', { name: 'Keep working' }).click();
  await dialog.waitFor({ state: 'detached' });
  await expect(card.getByText('running', { exact: true }).count()).resolves.toBe(1);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Offline · all sent');

  await card.getByRole('button', { name: 'Complete' }).click();
  await dialog.getByRole('button', { name: 'Complete anyway' }).click();
  await page.getByTestId('done-list').getByText('Atlas Copco').waitFor();
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Offline · 1 pending');

  await ctx.setOffline(false);
  await waitSynced(page);
  expect((await serverStage('Atlas Copco')).status).toBe('done');

  // An operator may not reopen; a supervisor may.
  await expect(page.getByTestId('done-list').getByRole('button', { name: /Reopen/ }).count()).resolves.toBe(0);
  const sup = await signIn(env.browser, env.app.url, 'supervisor.press');
  await goTo(sup.page, 'My work');
  await sup.page.getByTestId('done-list').getByRole('button', { name: 'Reopen Blank and form of Atlas Copco' }).click();
  const reopen = sup.page.getByRole('dialog', { name: 'Reopen this stage?' });
  await reopen.getByRole('button', { name: 'Reopen' }).click();
  await sup.page.getByRole('article', { name: /Atlas Copco, Blank and form/ }).getByText('running', { exact: true }).waitFor();
  await waitSynced(sup.page);
  expect((await serverStage('Atlas Copco')).status).toBe('running');
  await ctx.close();
  await sup.ctx.close();
});

it('(b) progress with rejected parts on the stage screen asks for a defect code and creates a reject in the rejects list', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  await goTo(page, 'Stages');
  await page.getByTestId('stage-list').getByRole('link').filter({ hasText: 'Atlas Copco' }).click();
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Rejected parts plus 1' }).click();
  await page.getByRole('button', { name: 'Record progress' }).click();
  await page.getByText('choose the defect', { exact: true }).waitFor();
  await page.getByLabel('Defect').selectOption({ label: 'BURR — Burr on cut edge' });
  await page.getByRole('button', { name: 'Record progress' }).click();
  await page.getByText('Recorded 0 good and 3 rejected.').waitFor();
  await page.getByTestId('stage-events').getByText('0 good, 3 rejected').waitFor();
  await waitSynced(page);
  expect((await serverStage('Atlas Copco')).rejectQty).toBe(3);

  await goTo(page, 'Rejects');
  const reject = page.getByTestId('reject-list').getByRole('link').filter({ hasText: /(^|\D)3 × BURR/ });
  await reject.waitFor();
  await expect(reject.textContent()).resolves.toMatch(/REJ-\d{6}/);
  await ctx.close();
});

it('(c) a correction with a reason lowers the count shown and reads as a correction', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'supervisor.press', 1440, 900);
  const { id } = await serverStage('Atlas Copco');
  await page.goto(`${env.app.url}/stages/${id}`);
  await page.getByText('120 of 300 good').waitFor();
  await page.getByRole('button', { name: 'Correct a count' }).click();
  const form = page.getByRole('form', { name: 'Correct a count' });
  await form.getByLabel('Good parts to take off', { exact: true }).fill('20');
  await form.getByRole('button', { name: 'Save correction' }).click();
  await form.getByText('say what was wrong with the count').waitFor();
  await form.getByLabel('Reason', { exact: true }).fill('Counted a pallet twice');
  await form.getByRole('button', { name: 'Save correction' }).click();
  await page.getByText('100 of 300 good').waitFor();
  await page.getByTestId('stage-events').getByText('Correction −20 good: Counted a pallet twice').waitFor();
  await screenshots(page, 'guard-stage-correction');
  await waitSynced(page);
  expect((await serverStage('Atlas Copco')).goodQty).toBe(100);
  await ctx.close();
});

it('(d) starting a second stage on a busy machine offers to pause the other; afterwards one runs', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  const busy = page.getByRole('article', { name: /Atlas Copco, Blank and form/ });
  const next = page.getByRole('article', { name: /Husqvarna, Blank and form/ });
  await next.getByRole('button', { name: 'Start' }).click();
  const dialog = page.getByRole('dialog', { name: 'Machine in use' });
  await dialog.getByText(/^PRS-01 is running Blank and form \(ORD-\d+\)\. Pause it and start this one\?$/).waitFor();
  await dialogShots(page, 'guard-portal-machine-busy');
  await dialog.getByRole('button', { name: 'Pause and start' }).click();
  await next.getByText('running', { exact: true }).waitFor();
  await busy.getByText('paused', { exact: true }).waitFor();
  await waitSynced(page);
  const machineId = (await serverStage('Husqvarna')).machineId!;
  const running = await env.app.running.deps.db.selectFrom('stages').select('id').where('machineId', '=', machineId).where('status', '=', 'running').execute();
  expect(running).toEqual([{ id: (await serverStage('Husqvarna')).id }]);
  expect((await serverStage('Atlas Copco')).status).toBe('paused');
  await ctx.close();
});

it('(e) an operator asks for a hold offline and, after a planner grants it, sees "granted"', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');
  const card = page.getByRole('article', { name: /Husqvarna, Blank and form/ });
  await card.getByRole('button', { name: 'Ask for a hold' }).click();
  const form = card.getByRole('form', { name: 'Ask for a hold' });
  await form.getByRole('button', { name: 'Send hold request' }).click();
  await form.getByText('say what is wrong: the planner reads it').waitFor();
  await form.getByLabel('What is wrong').fill('Coil 4471 has rust spots');
  await form.getByRole('button', { name: 'Send hold request' }).click();
  await card.getByTestId('hold-requests').getByText('Waiting for the planner').waitFor();
  await page.getByRole('region', { name: 'Your hold requests' }).getByText('Coil 4471 has rust spots').waitFor();
  await ctx.setOffline(false);
  await waitSynced(page);

  // The planner grants it (the orders page is another screen; here through the API as a manager).
  const request = await env.app.running.deps.db.selectFrom('holdRequests').select('id').where('reason', '=', 'Coil 4471 has rust spots').executeTakeFirstOrThrow();
  const login = await fetch(`${env.app.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'manager', password: DEMO_PASSWORD }) });
  const { accessToken } = await login.json();
  const push = await fetch(`${env.app.url}/api/sync/push`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ clientId: uuidv7(), schemaVersion: 1, mutations: [{ id: uuidv7(), seq: 1, name: 'holdRequest.transition', args: { id: request.id, from: 'open', to: 'granted' }, at: new Date().toISOString() }] }),
  });
  expect((await push.json()).results[0].status).toBe('applied');

  await page.getByTestId('sync-status').click();
  await waitSynced(page);
  const mine = page.getByRole('region', { name: 'Your hold requests' });
  await mine.getByText('Granted: the order is on hold').waitFor();
  await page.getByTestId('held-list').getByRole('article', { name: /Husqvarna, Blank and form/ }).waitFor();
  await screenshots(page, 'guard-portal-hold-granted');
  await ctx.close();
});
