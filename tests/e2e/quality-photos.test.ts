// Photos taken offline: an operator on a phone logs a reject with a photo without network and sees
// it at once (and after a reload); back online it uploads; a manager on a desktop sees it.
import { expect, it } from 'vitest';
import { solidPng } from '../setup/images';
import { goTo, newContext, login, screenshots, signIn, useAppAndBrowser, waitControlled, waitSynced } from './support';

const env = useAppAndBrowser();

it('an operator logs a reject with a photo offline and sees it; online it uploads; a manager on desktop sees it', async () => {
  const { ctx, page } = await signIn(env.browser, env.app.url, 'operator.press', 360, 780);
  await ctx.setOffline(true);
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');

  await goTo(page, 'Rejects');
  await page.getByRole('link', { name: '+ Log a reject' }).click();
  await page.getByLabel('Machine').selectOption({ label: 'PRS-01 — Press 250 t' });
  await page.getByLabel('Defect').selectOption({ label: 'SCRATCH — Surface scratch' });
  await page.getByLabel('Quantity', { exact: true }).fill('4');
  await page.getByLabel('What is wrong (optional)').fill('E2E photo: deep scratch on the flange');
  // Not a picture: refused at the field, nothing kept.
  await page.getByTestId('photo-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a photo') });
  await page.getByRole('alert').filter({ hasText: 'is not a picture' }).waitFor();
  await expect(page.getByTestId('photo-draft').count()).resolves.toBe(0);
  // A 2400 × 1200 camera picture: made 1600 × 800 on the device.
  await page.getByTestId('photo-input').setInputFiles({ name: 'camera.png', mimeType: 'image/png', buffer: await solidPng(2400, 1200) });
  await page.getByTestId('photo-draft').getByRole('img').waitFor();
  await screenshots(page, 'photo-draft');
  await page.getByRole('button', { name: 'Log reject' }).click();
  await page.getByRole('heading', { name: 'Reject (pending number)' }).waitFor();
  const rejectUrl = page.url();

  const photo = page.getByTestId('photos').getByRole('listitem');
  await expect.poll(() => photo.count()).toBe(1);
  await expect(photo.getAttribute('data-state')).resolves.toBe('pending');
  const size = () => photo.getByRole('img').evaluate((img: HTMLImageElement) => img.complete ? [img.naturalWidth, img.naturalHeight] : null);
  await expect.poll(size).toEqual([1600, 800]);
  await expect(photo.textContent()).resolves.toContain('not sent yet');

  // The shell from the service worker, the photo from IndexedDB.
  await page.reload();
  await expect.poll(size).toEqual([1600, 800]);
  await screenshots(page, 'photo-offline-reject');

  // Storage shows what the photo takes; sign-out waits for it like for the reject.
  // Settings sits behind "More" on a phone: open it by its address (the service worker serves the shell offline).
  await page.goto(`${env.app.url}/settings`);
  await expect.poll(() => page.getByTestId('photos-unsent').textContent()).toMatch(/^1 · \d/);

  // Back online: the reject goes first, then its photo.
  await ctx.setOffline(false);
  await waitSynced(page);
  await expect.poll(() => page.getByTestId('photos-unsent').textContent(), { timeout: 15_000 }).toMatch(/^0 · /);
  await expect(page.getByTestId('photos-kept').textContent()).resolves.toMatch(/^1 · \d/);
  await page.goto(rejectUrl);
  await expect.poll(() => photo.getAttribute('data-state'), { timeout: 15_000 }).toBe('sent');
  await expect(page.getByRole('heading', { name: /^Reject REJ-\d{6}$/ }).isVisible()).resolves.toBe(true);

  // A manager on a desktop sees the photo, fetched from the server.
  const mctx = await newContext(env.browser, 1440, 900);
  const m = await mctx.newPage();
  await m.goto(env.app.url);
  await login(m, 'manager');
  await waitControlled(m);
  await waitSynced(m);
  await m.goto(rejectUrl);
  const mphoto = m.getByTestId('photos').getByRole('listitem');
  await expect.poll(() => mphoto.count(), { timeout: 15_000 }).toBe(1);
  await expect.poll(() => mphoto.getByRole('img').evaluate((img: HTMLImageElement) => img.complete ? [img.naturalWidth, img.naturalHeight] : null)).toEqual([1600, 800]);
  await screenshots(m, 'photo-manager-reject');

  // Seen once online, the photo stays viewable offline (the service worker's photo cache).
  await mctx.setOffline(true);
  await m.reload();
  await expect.poll(() => mphoto.getByRole('img').evaluate((img: HTMLImageElement) => img.complete ? img.naturalWidth : null)).toBe(1600);
  await mctx.close();
  await ctx.close();
});
