import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, goTo, launchProfile, login, screenshots, startApp, waitControlled, waitSynced, type TestApp } from './support';

let app: TestApp;
let profile: string;

beforeAll(async () => {
  await ensureBuilt();
  app = await startApp();
  profile = mkdtempSync(join(tmpdir(), 'barron-profile-'));
});

afterAll(async () => {
  await app?.close();
  rmSync(profile, { recursive: true, force: true, maxRetries: 5 });
});

/** Width and height from a PNG's IHDR chunk. */
function pngSize(bytes: number[]) {
  const b = Buffer.from(bytes);
  expect(b.subarray(1, 4).toString('ascii')).toBe('PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

it('the manifest is valid, the service worker controls the page, and the app starts offline after the browser was closed and reopened with the same profile', async () => {
  let ctx = await launchProfile(profile);
  let page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(app.url);

  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  const manifest = await page.evaluate(async (u) => (await fetch(u!)).json(), href);
  expect(manifest).toMatchObject({
    name: expect.stringContaining('Barron'), short_name: 'Barron PMS', description: expect.any(String), display: 'standalone',
    start_url: '/', scope: '/', theme_color: expect.stringMatching(/^#[0-9a-f]{6}$/i), background_color: expect.stringMatching(/^#[0-9a-f]{6}$/i),
  });
  const icons = manifest.icons as { src: string; sizes: string; type: string; purpose?: string }[];
  for (const [size, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
    const icon = icons.find((i) => i.sizes === size && (i.purpose ?? 'any').split(' ').includes(purpose));
    expect(icon, `${size} ${purpose} icon`).toBeTruthy();
    const bytes = await page.evaluate(async (src) => [...new Uint8Array(await (await fetch(src)).arrayBuffer())], icon!.src);
    const { width, height } = pngSize(bytes);
    expect(`${width}x${height}`).toBe(size);
  }

  await login(page, 'operator.paint');
  await waitControlled(page);
  await waitSynced(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${app.url}/sw.js`);
  // The API is never in a cache: data lives in IndexedDB.
  const cached = await page.evaluate(async () => {
    const urls: string[] = [];
    for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(req.url);
    return urls;
  });
  expect(cached.some((u) => new URL(u).pathname === '/index.html')).toBe(true);
  expect(cached.filter((u) => new URL(u).pathname.startsWith('/api'))).toEqual([]);
  await goTo(page, 'Stages');
  await page.getByTestId('stage-list').waitFor();
  await ctx.close();

  // Reopen the same profile with no network: the shell, the session and the data are all local.
  ctx = await launchProfile(profile);
  await ctx.setOffline(true);
  page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(app.url);
  await page.getByRole('navigation', { name: 'Main', exact: true }).waitFor();
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');
  await goTo(page, 'Stages');
  await page.getByTestId('stage-list').waitFor();
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Paint stages');
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await screenshots(page, 'reopened-offline');
  await page.goto(`${app.url}/settings`);
  await page.getByTestId('storage').waitFor();
  await screenshots(page, 'settings-offline');
  await ctx.close();
});
