// Browser-test fixtures: a fresh server (own SQLite file, demo plant, free port) over the built client,
// Chromium via playwright-core, a login helper and screenshots at phone and desktop size. Every test of
// every file that imports this fails when a page reported a Content-Security-Policy violation.
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { loadEnv } from '../../server/env';
import { startServer, type Running } from '../../server/server';
import { DEMO_PASSWORD } from '../../server/seed';

const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = resolve(import.meta.dirname, 'screenshots');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** Builds the client once when dist/ is missing or older than its sources. */
export async function ensureBuilt() {
  const index = resolve(ROOT, 'dist/index.html');
  const sources = ['client', 'sync', 'public', 'index.html', 'vite.config.ts'].map((p) => resolve(ROOT, p));
  if (existsSync(index) && statSync(index).mtimeMs > Math.max(...sources.map(newest))) return;
  const { build } = await import('vite');
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle: build what `npm run build` builds.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve(ROOT, 'vite.config.ts'), root: ROOT, mode: 'production', logLevel: 'warn' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

export interface TestApp { url: string; running: Running; close(): Promise<void> }

/**
 * The real server on a free port with its own database and data folder; `extra` adds configuration
 * (TLS_CERT…). Its url is at localhost, where browsers allow a service worker even without HTTPS.
 */
export async function startApp(extra: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'barron-e2e-'));
  const env = loadEnv({
    PORT: '0', HOST: '127.0.0.1', DATABASE_URL: `sqlite:${join(dir, 'barron.sqlite')}`, SEED_DEMO: 'true', LOG_LEVEL: 'silent',
    JWT_SECRET: 'e2e-secret-that-is-long-enough-0123456789abcdef', NODE_ENV: 'test', ...extra,
  }, dir);
  const running = await startServer(env);
  return {
    url: running.url,
    running,
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One server and one browser for a test file, built and started before its tests, closed after. */
export function useAppAndBrowser(): { app: TestApp; browser: Browser } {
  const env = {} as { app: TestApp; browser: Browser };
  beforeAll(async () => {
    await ensureBuilt();
    env.app = await startApp();
    env.browser = await launch();
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.app?.close();
  });
  return env;
}

export function launch(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** A browser profile kept on disk, for closing and reopening the "installed" app. */
export function launchProfile(dir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 390, height: 844 } }).then(async (ctx) => {
    await watch(ctx);
    return ctx;
  });
}

/** A browser context whose waits fail after 15 s (so a failure names its step) and which echoes page errors. */
export async function newContext(browser: Browser, width: number, height: number): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width, height } });
  await watch(ctx);
  return ctx;
}

/** What the pages reported blocked by the Content-Security-Policy since the last check. */
export const cspViolations: string[] = [];

/** Fails the test when anything was refused by the CSP: the policy must never break the app. */
export function expectNoCspViolations() {
  expect(cspViolations.splice(0), 'Content-Security-Policy violations').toEqual([]);
}
afterEach(expectNoCspViolations);
afterAll(expectNoCspViolations);

export async function watch(ctx: BrowserContext) {
  ctx.setDefaultTimeout(15_000);
  // Chromium logs "Refused to …" for a violation; the DOM event names the directive too.
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`));
  });
  const onPage = (p: Page) => {
    p.on('pageerror', (err) => console.error(`[page error] ${err.message}`));
    p.on('console', (m) => {
      if (/^Refused to |^CSP violation: /.test(m.text())) cspViolations.push(`${p.url()}: ${m.text()}`);
    });
  };
  ctx.on('page', onPage);
  for (const p of ctx.pages()) onPage(p);
}

export async function login(page: Page, username: string, password = DEMO_PASSWORD) {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main', exact: true }).waitFor();
}

/**
 * A new browser context signed in as `username`, with the service worker in control and the first
 * sync done: where almost every browser test starts.
 */
export async function signIn(browser: Browser, url: string, username: string, width = 390, height = 844) {
  const ctx = await newContext(browser, width, height);
  const page = await ctx.newPage();
  await page.goto(url);
  await login(page, username);
  await waitControlled(page);
  await waitSynced(page);
  return { ctx, page };
}

/** Resolves when the device has sent everything and the last sync pass is over. */
export async function waitSynced(page: Page, timeout = 15_000) {
  await page.waitForFunction(() => {
    const app = (globalThis as any).barron;
    return app && app.pending.value === 0 && !app.sync.value.syncing && app.sync.value.lastSyncAt && !app.sync.value.lastError;
  }, undefined, { timeout });
}

/** The service worker is active and this page is under its control. */
export async function waitControlled(page: Page) {
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 15_000 });
}

/** Saves the page at 390×844 and 1440×900, then puts the viewport back. */
export async function screenshots(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  const before = page.viewportSize();
  for (const [w, h] of [[390, 844], [1440, 900]]) {
    await page.setViewportSize({ width: w, height: h });
    await page.evaluate(() => window.scrollTo(0, 0)); // sticky bars would otherwise land mid-page
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SHOTS, `${name}-${w}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/** Follows a link of the main navigation; on a phone whose bar is full, opens "More" for it first. */
export async function goTo(page: Page, navLabel: string) {
  const nav = page.getByRole('navigation', { name: 'Main', exact: true });
  const link = nav.getByRole('link', { name: navLabel });
  const more = nav.getByRole('button', { name: 'More' });
  if (!(await link.isVisible()) && (await more.isVisible())) await more.click();
  await link.click();
}

/** Logs a scratch reject on PRS-01 through the Rejects page, the way an operator does (works offline). */
export async function logReject(page: Page, quantity: number, description?: string) {
  await goTo(page, 'Rejects');
  await page.getByRole('link', { name: '+ Log a reject' }).click();
  await page.getByLabel('Machine').selectOption({ label: 'PRS-01 — Press 250 t' });
  await page.getByLabel('Defect').selectOption({ label: 'SCRATCH — Surface scratch' });
  await page.getByLabel('Quantity', { exact: true }).fill(String(quantity));
  if (description) await page.getByLabel('What is wrong (optional)').fill(description);
  await page.getByRole('button', { name: 'Log reject' }).click();
}
