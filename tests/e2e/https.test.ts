// A phone on the plant network: the server under a plant name, over HTTPS with a plant certificate. Only
// over HTTPS does the browser allow a service worker there, so only then can the app install and work
// offline. The name is mapped to this machine by Chromium's resolver (not localhost or 127.0.0.1: browsers
// count loopback as secure even over plain HTTP, which would hide the problem). Chromium accepts this
// test's certificate by its key (--ignore-certificate-errors-spki-list), as a phone that installed the
// plant CA accepts the real one (docs/https.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeCertificate } from '../setup/tls';
import { ensureBuilt, expectNoCspViolations, goTo, launch, logReject, screenshots, signIn, startApp, waitSynced, type TestApp } from './support';

const PLANT_HOST = 'pms.plant.test';
let app: TestApp;
let browser: Browser;
let pkiDir: string;
let url: string;

beforeAll(async () => {
  await ensureBuilt();
  pkiDir = mkdtempSync(join(tmpdir(), 'barron-pki-'));
  const pki = makeCertificate(pkiDir, [`DNS:${PLANT_HOST}`]);
  app = await startApp({ TLS_CERT: pki.cert, TLS_KEY: pki.key, HTTP_REDIRECT_PORT: '0' });
  url = `https://${PLANT_HOST}:${app.running.port}`;
  browser = await launch([`--host-resolver-rules=MAP ${PLANT_HOST} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${pki.spki}`]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  rmSync(pkiDir, { recursive: true, force: true });
});

it('over HTTPS at a plant address the service worker takes control, and an operator who goes offline reloads the app and logs a reject that syncs later', async () => {
  // The address typed without https:// lands on the HTTPS app.
  const probe = await browser.newPage();
  const landed = await probe.goto(`http://${PLANT_HOST}:${app.running.redirectPort}/`);
  expect(probe.url()).toBe(`${url}/`);
  expect(landed?.headers()['strict-transport-security']).toBe('max-age=31536000');
  expect(await probe.evaluate(() => window.isSecureContext)).toBe(true);
  await probe.close();

  const { ctx, page } = await signIn(browser, url, 'operator.press');
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${url}/sw.js`);

  await ctx.setOffline(true);
  await page.reload();
  // The shell comes from the service worker: no network, yet the app renders with the session.
  await page.getByRole('navigation', { name: 'Main', exact: true }).waitFor();
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toContain('Offline');
  await logReject(page, 4, 'E2E dented over HTTPS');
  await page.getByRole('heading', { name: 'Reject (pending number)' }).waitFor();
  await expect.poll(() => page.getByTestId('sync-headline').textContent()).toBe('Offline · 1 pending');
  await screenshots(page, 'https-offline-reject');

  await ctx.setOffline(false);
  await waitSynced(page);
  await goTo(page, 'Rejects');
  await expect(page.getByTestId('reject-list').getByRole('link').filter({ hasText: '4 × SCRATCH' }).textContent()).resolves.toMatch(/REJ-\d{6}/);
  // Loading, signing in, going offline and back: nothing was refused by the Content-Security-Policy.
  expectNoCspViolations();
  await ctx.close();
});
