import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goTo, newContext, login, screenshots, waitControlled, waitSynced, useAppAndBrowser } from './support';

const env = useAppAndBrowser();

async function openTicket(page: Page, text: string) {
  await goTo(page, 'Maintenance');
  await page.getByLabel('Search').fill(text);
  await page.getByTestId('ticket-list').getByRole('link').first().click();
  await page.getByTestId('ticket-facts').waitFor();
}

async function editDescription(page: Page, description: string) {
  await page.getByRole('button', { name: 'Edit details' }).click();
  await page.getByLabel('Description').fill(description);
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Saved: description.').waitFor();
}

it('two devices edit the same ticket field offline, both come online, the second sees the conflict on Sync issues and resolves it, and the audit shows both values', async () => {
  const first = await newContext(env.browser, 1440, 900);
  const second = await newContext(env.browser, 390, 844);
  const manager = await first.newPage();
  const tech = await second.newPage();
  for (const [page, user] of [[manager, 'manager'], [tech, 'technician']] as const) {
    await page.goto(env.app.url);
    await login(page, user);
    await waitControlled(page);
    await waitSynced(page);
    await openTicket(page, 'Extraction fan');
  }
  const original = await manager.getByTestId('ticket-description').textContent();

  await first.setOffline(true);
  await second.setOffline(true);
  await editDescription(manager, 'Fan bearing worn: replace bearing 6204 (manager)');
  await editDescription(tech, 'Fan blade cracked: replace the impeller (technician)');

  await first.setOffline(false);
  await waitSynced(manager);
  await second.setOffline(false);
  await waitSynced(tech);

  // The server kept the first value; the second device is told, with both values.
  await tech.getByTestId('ticket-description').getByText('Fan bearing worn').waitFor();
  await goTo(tech, 'Sync issues');
  const issue = tech.getByTestId('sync-issue');
  await issue.waitFor();
  await expect(issue.getByTestId('theirs').textContent()).resolves.toContain('Fan bearing worn: replace bearing 6204 (manager)');
  await expect(issue.getByTestId('mine').textContent()).resolves.toContain('Fan blade cracked: replace the impeller (technician)');
  await expect(issue.textContent()).resolves.toContain(original!);
  await screenshots(tech, 'conflict-sync-issues');

  await issue.getByRole('button', { name: /Apply mine again on the current version/ }).click();
  await tech.getByText('No sync issues.').waitFor();
  await waitSynced(tech);

  // The manager's device pulls the result; the audit trail holds both values.
  await manager.getByTestId('sync-status').click();
  await waitSynced(manager);
  await manager.getByTestId('ticket-description').getByText('Fan blade cracked').waitFor();
  const audit = manager.getByTestId('audit-trail');
  await audit.getByRole('button', { name: 'Refresh' }).click();
  await expect.poll(() => audit.textContent(), { timeout: 10_000 }).toContain('kept the server');
  const text = (await audit.textContent())!;
  expect(text).toContain('Fan bearing worn: replace bearing 6204 (manager)');
  expect(text).toContain('Fan blade cracked: replace the impeller (technician)');
  expect(text).toMatch(/conflict/i);
  await screenshots(manager, 'conflict-audit');
  await first.close();
  await second.close();
});
