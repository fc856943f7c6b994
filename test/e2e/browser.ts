import fs from 'node:fs';
import path from 'node:path';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createTestContext, type TestContext } from '../helpers/context';
import { ROOT } from '../../src/shared/paths';

/** Debian's chromium, never a browser downloaded by a test tool. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** The phone the journeys use (an iPhone 12/13/14-sized viewport). */
export const PHONE = { width: 390, height: 844 };

export interface PageOptions {
  phone?: boolean;
  /** Plain forms must work without it; a journey can prove that by turning it off. */
  javaScriptEnabled?: boolean;
}

export interface Journey {
  ctx: TestContext;
  baseUrl: string;
  browser: Browser;
  newPage(opts?: PageOptions): Promise<{ page: Page; context: BrowserContext }>;
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A fresh SQLite test context served on a loopback port, and Debian's chromium.
 * The port is known before the app is built, so PUBLIC_URL (links in e-mails, audio URLs in feeds)
 * points at this very server and a browser can follow them.
 */
export async function startJourney(env: Record<string, string> = {}): Promise<Journey> {
  let handler: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx = await createTestContext('sqlite', { PUBLIC_URL: baseUrl, ...env });
  handler = ctx.app;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const contexts: BrowserContext[] = [];
  return {
    ctx,
    baseUrl,
    browser,
    newPage: async (opts = {}) => {
      const common = { locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh', acceptDownloads: true, javaScriptEnabled: opts.javaScriptEnabled ?? true };
      const context = await browser.newContext(
        opts.phone ? { ...common, viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : { ...common, viewport: { width: 1280, height: 900 } },
      );
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      const page = await context.newPage();
      // data-confirm buttons ask window.confirm(); a person says yes.
      page.on('dialog', (d) => void d.accept());
      return { page, context };
    },
    screenshot: async (page, name) => {
      const file = path.join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await ctx.close();
    },
  };
}

export async function signInAs(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Thư điện tử').fill(email);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

/** The page is no wider than the viewport (nothing to scroll sideways except inside .table-wrap). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}
