// Quality review on the screens (issue 11 part A): an operator's reject is approved by a manager with a
// disposition and the operator's phone shows "approved" after sync; a corrective action verified by
// its owner is refused at the field, offline too; My actions and the returns pages render.
// The tests share one server and run in order.
import { expect, it } from 'vitest';
import { join } from 'node:path';
import { goTo, logReject, screenshots, SHOTS, signIn, useAppAndBrowser, waitSynced } from './support';

const env = useAppAndBrowser();
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

it('a manager approves an operator\'s reject with a disposition; the operator\'s phone shows it approved after sync', async () => {
  const op = await signIn(env.browser, env.app.url, 'operator.press', 390, 844);
  await logReject(op.page, 3, 'Scratches along the flange');
  await op.page.getByRole('heading', { name: /^Reject/ }).waitFor();
  await waitSynced(op.page);
  const rejectUrl = op.page.url();
  await expect.poll(() => op.page.getByTestId('reject-status').textContent()).toBe('open');
  // The number the server gave it, once synced.
  const title = (await op.page.getByRole('heading', { name: /^Reject REJ-/ }).textContent())!;
  const number = title.replace('Reject ', '');

  const mgr = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  await goTo(mgr.page, 'Rejects');
  await mgr.page.getByTestId('reject-counts').waitFor();
  await mgr.page.getByLabel('Defect code').selectOption({ label: 'SCRATCH Surface scratch' });
  await mgr.page.getByTestId('reject-list').getByRole('link', { name: new RegExp(number) }).click();
  await mgr.page.getByRole('button', { name: 'Start review' }).click();
  await expect.poll(() => mgr.page.getByTestId('reject-status').textContent()).toBe('under review');
  // Approving without a disposition is refused at the field.
  await mgr.page.getByRole('button', { name: 'Approve' }).click();
  await mgr.page.getByText('Disposition is required to approve.').waitFor();
  await mgr.page.getByLabel('Disposition').selectOption({ label: 'scrap' });
  await mgr.page.getByRole('button', { name: 'Approve' }).click();
  await expect.poll(() => mgr.page.getByTestId('reject-status').textContent()).toBe('approved');
  await waitSynced(mgr.page);
  // The history reads as changes, not JSON.
  await mgr.page.getByTestId('audit-trail').getByText('Status: under review → approved').waitFor();
  await mgr.page.getByTestId('audit-trail').getByText('Disposition: (empty) → scrap').waitFor();
  await screenshots(mgr.page, 'quality-reject-approved-manager');
  const server = await env.app.running.deps.db.selectFrom('rejects').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  expect(server).toMatchObject({ status: 'approved', disposition: 'scrap' });

  // The operator's phone, after its next sync.
  await op.page.evaluate(() => (globalThis as any).barron.syncNow());
  await waitSynced(op.page);
  expect(op.page.url()).toBe(rejectUrl);
  await expect.poll(() => op.page.getByTestId('reject-status').textContent()).toBe('approved');
  await op.page.getByTestId('reject-review-state').getByText('Approved: scrap.').waitFor();
  await op.page.setViewportSize({ width: 360, height: 800 });
  await op.page.screenshot({ path: join(SHOTS, 'quality-reject-approved-operator-360.png'), fullPage: true });
  await mgr.ctx.close();
  await op.ctx.close();
}, 120_000);

it('a corrective action verified by its owner is refused at the field, offline too; someone else verifies it', async () => {
  const sup = await signIn(env.browser, env.app.url, 'supervisor.press', 390, 844);
  await goTo(sup.page, 'Rejects');
  await sup.page.getByTestId('reject-list').getByRole('link').first().click();
  await sup.page.getByRole('heading', { name: /^Reject/ }).waitFor();
  const actions = sup.page.getByTestId('corrective-actions');
  await actions.getByRole('button', { name: '+ Add action' }).click();
  await actions.getByLabel('What will be done').fill('Add a flange check to the first-part inspection');
  await actions.getByLabel('Owner').selectOption({ label: 'Sam Supervisor (Press) · Press' });
  await actions.getByLabel('Due date').fill(inDays(3));
  await actions.getByRole('button', { name: 'Add action' }).click();
  const card = actions.getByTestId('action-card').filter({ hasText: 'flange check' });
  await card.waitFor();
  await waitSynced(sup.page);

  // Offline: the owner marks it done, then tries to verify it — the device refuses with the reason.
  await sup.ctx.setOffline(true);
  await expect.poll(() => sup.page.getByTestId('sync-headline').textContent()).toContain('Offline');
  await card.getByLabel('Note (optional)').fill('Checklist updated, operators briefed');
  await card.getByRole('button', { name: 'Mark done' }).click();
  await expect.poll(() => card.getByText('done', { exact: true }).count()).toBe(1);
  await card.getByRole('button', { name: 'Verify' }).click();
  const refusal = card.getByTestId('action-refusal');
  await refusal.waitFor();
  expect(await refusal.textContent()).toMatch(/owner of a corrective action cannot verify it: someone other than the owner/);
  await expect.poll(() => sup.page.getByTestId('sync-headline').textContent()).toBe('Offline · 1 pending');
  await screenshots(sup.page, 'quality-action-owner-refused');
  // My actions, offline: the action is there, waiting for verification.
  // On a phone a supervisor's "My actions" sits behind "More".
  await sup.page.getByRole('button', { name: 'More' }).click();
  await goTo(sup.page, 'My actions');
  await sup.page.getByRole('button', { name: 'Waiting for verification' }).click();
  await sup.page.getByTestId('my-actions').getByText('flange check').waitFor();
  await screenshots(sup.page, 'quality-my-actions');
  await sup.ctx.setOffline(false);
  await waitSynced(sup.page);

  // A manager (not the owner) verifies it.
  const mgr = await signIn(env.browser, env.app.url, 'manager', 1440, 900);
  const rows = await env.app.running.deps.db.selectFrom('correctiveActions').selectAll().where('description', 'like', '%flange check%').execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ status: 'done', verifiedBy: null });
  const reject = rows[0].sourceId;
  await mgr.page.goto(`${env.app.url}/rejects/${reject}`);
  const mcard = mgr.page.getByTestId('corrective-actions').getByTestId('action-card').filter({ hasText: 'flange check' });
  await mcard.getByRole('button', { name: 'Verify' }).click();
  await expect.poll(() => mcard.getByText('verified', { exact: true }).count()).toBe(1);
  await waitSynced(mgr.page);
  const verified = await env.app.running.deps.db.selectFrom('correctiveActions').selectAll().where('id', '=', rows[0].id).executeTakeFirstOrThrow();
  expect(verified.status).toBe('verified');
  await mgr.ctx.close();
  await sup.ctx.close();
}, 120_000);

it('Quality takes in a customer return and makes Press responsible', async () => {
  const qa = await signIn(env.browser, env.app.url, 'quality.lead', 1440, 900);
  await goTo(qa.page, 'Returns');
  await qa.page.getByRole('link', { name: '+ Take in a return' }).click();
  await qa.page.getByLabel('Customer', { exact: true }).fill('Husqvarna');
  await qa.page.getByLabel('Product').selectOption({ index: 1 });
  await qa.page.getByLabel('Quantity', { exact: true }).fill('-2');
  await qa.page.getByLabel('What the customer reports').fill('Clips bent on arrival');
  await qa.page.getByRole('button', { name: 'Take in return' }).click();
  await qa.page.getByText('Quantity must be at least 1.', { exact: true }).waitFor();
  await qa.page.getByLabel('Quantity', { exact: true }).fill('8');
  await qa.page.getByRole('button', { name: 'Take in return' }).click();
  await qa.page.getByRole('heading', { name: /^Return/ }).waitFor();
  await qa.page.getByLabel('Department responsible', { exact: true }).selectOption({ label: 'Press' });
  await qa.page.getByRole('button', { name: 'Save department' }).click();
  await expect.poll(() => qa.page.getByTestId('return-department').textContent()).toBe('Press');
  await qa.page.getByRole('button', { name: 'Start investigation' }).click();
  // The move clears the form when it is done: type once the return shows it is under investigation.
  await qa.page.getByRole('button', { name: 'Resolve' }).waitFor();
  await qa.page.getByLabel('Credit value').fill('-5');
  await qa.page.getByLabel('Root cause').fill('Packing too tight');
  await qa.page.getByRole('button', { name: 'Resolve' }).click();
  await qa.page.getByText('Credit value cannot be negative.', { exact: true }).waitFor();
  await waitSynced(qa.page);
  await screenshots(qa.page, 'quality-return-detail');
  await goTo(qa.page, 'Returns');
  await qa.page.getByTestId('return-list').getByText('Husqvarna').waitFor();
  await screenshots(qa.page, 'quality-returns-list');
  await qa.ctx.close();
}, 120_000);
