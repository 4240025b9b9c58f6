// Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core. Never a
// browser that a tool downloads: without /usr/bin/chromium the browser tests skip, saying so
// (CI installs it: apt-get install -y chromium).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";

export const CHROMIUM = process.env.NABLA_CHROMIUM ?? "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);
export const skipReason = `browser tests skipped: ${CHROMIUM} not found (install it with: apt-get update && apt-get install -y chromium)`;

export interface Session {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh headless Chromium with its own temporary profile (and extra command-line arguments, e.g. `--js-flags=--jitless`). */
export async function launch(extraArgs: readonly string[] = []): Promise<Session> {
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "nabla-chromium-"));
  const args = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", ...extraArgs,
  ];
  // launchPersistentContext takes the profile directory (playwright refuses --user-data-dir in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args, acceptDownloads: true, viewport: { width: 1360, height: 1000 },
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
