import { expect, it } from 'vitest';
import { goTo, screenshots, signIn, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

it('an operator offline who sends a maintenance request without saying what is wrong sees the message at the field, and nothing is queued', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press');
  await ctx.setOffline(true);
  await goTo(page, 'Maintenance');
  await page.getByRole('link', { name: '+ New request' }).click();
  await page.getByLabel('Machine').selectOption({ label: 'PRS-01 — Press 250 t' });
  await page.getByLabel('Type').selectOption('corrective');
  await page.getByRole('button', { name: 'Send request' }).click();

  const field = page.getByLabel('What is wrong');
  await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
  const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
  const message = await page.locator(`[id="${describedBy.split(' ').find((id) => id.includes('err')) ?? describedBy}"]`).textContent();
  expect(message).toMatch(/required/i);
  await screenshots(page, 'bad-input-maintenance');
  expect(await page.evaluate(() => (globalThis as any).barron.pending.value)).toBe(0);
  expect(await page.getByTestId('sync-headline').textContent()).toContain('Offline · all sent');
  await ctx.close();
});
