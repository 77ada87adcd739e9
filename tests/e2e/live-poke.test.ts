// The poke in the browser: a reject logged on device A shows on device B's Rejects page within 3 s,
// while B's scheduled pull is every 30 s (docs/sync.md): without the poke, B would show it only after
// its next scheduled pass, long after this test's 3 s. B's pulls are counted to show the poke caused it.
import { expect, it } from 'vitest';
import { goTo, signIn, useAppAndBrowser } from './support';
import { openSseConnections } from '../../server/sync/events';

const env = useAppAndBrowser();

it('a change on device A appears on device B within 3 s, pulled because the server poked B', async () => {
  const a = await signIn(env.browser, env.app.url, 'operator.press');
  const b = await signIn(env.browser, env.app.url, 'supervisor.press', 1440, 900);
  await goTo(b.page, 'Rejects');
  await b.page.getByTestId('reject-list').waitFor();
  // Let B's start-up passes (and its stream's first message) settle, then count its pulls from here on.
  await b.page.waitForTimeout(1500);
  const pulls: number[] = [];
  b.page.on('request', (r) => {
    if (r.url().includes('/api/sync/pull')) pulls.push(Date.now());
  });
  const quantity = 37;
  expect(await b.page.getByTestId('reject-list').textContent()).not.toContain(`${quantity} × SCRATCH`);

  // Device A fills in the form (logReject's steps); the change is made when it taps "Log reject".
  await goTo(a.page, 'Rejects');
  await a.page.getByRole('link', { name: '+ Log a reject' }).click();
  await a.page.getByLabel('Machine').selectOption({ label: 'PRS-01 — Press 250 t' });
  await a.page.getByLabel('Defect').selectOption({ label: 'SCRATCH — Surface scratch' });
  await a.page.getByLabel('Quantity', { exact: true }).fill(String(quantity));
  const t0 = Date.now();
  await a.page.getByRole('button', { name: 'Log reject' }).click();
  await b.page.getByTestId('reject-list').getByText(`${quantity} × SCRATCH`).waitFor({ timeout: 3000 });
  const took = Date.now() - t0;
  console.log(`live-poke: B showed A's change ${took} ms after A logged it`);
  expect(took).toBeLessThan(3000);
  // B pulled in between, and not on its 30 s schedule (which would be ≥ 28 s after its last pass).
  expect(pulls.length).toBeGreaterThanOrEqual(1);
  expect(pulls[0] - t0).toBeLessThan(3000);
  // Both devices hold the stream open on this one server process.
  expect(openSseConnections()).toBeGreaterThanOrEqual(2);

  await a.ctx.close();
  await b.ctx.close();
  // A closed tab closes its stream on the server.
  await expect.poll(() => openSseConnections(), { timeout: 5000 }).toBe(0);
});
