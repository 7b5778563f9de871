import { access, mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Debian's `chromium` (or CONTROLROOM_CHROMIUM): the browser the end-to-end test drives
 * with playwright-core, which downloads no browser of its own. Missing is a failure
 * with the fix in the message, never a skip: the test is the proof that the UI works.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.CONTROLROOM_CHROMIUM ?? "/usr/bin/chromium";
  try {
    await access(executablePath);
  } catch {
    throw new Error(
      `no Chromium at ${executablePath}: install Debian's package (apt-get install -y chromium) or set CONTROLROOM_CHROMIUM`,
    );
  }
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/**
 * Where screenshots go: CONTROLROOM_UI_SCREENSHOTS, else `.ci/cache/ui-screenshots`.
 * `CONTROLROOM_UI_SCREENSHOTS=docs/images/ui` refreshes the ones docs/ui.md shows.
 */
export async function screenshotDirectory(): Promise<string> {
  const dir = resolve(ROOT, process.env.CONTROLROOM_UI_SCREENSHOTS ?? ".ci/cache/ui-screenshots");
  await mkdir(dir, { recursive: true });
  return dir;
}

/** Saves the whole page as `<dir>/<name>.png`. */
export async function saveScreenshot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** Saves one element (a section of a long page) as `<dir>/<name>.png`. */
export async function saveElementScreenshot(
  element: Locator,
  dir: string,
  name: string,
): Promise<void> {
  await element.screenshot({ path: join(dir, `${name}.png`) });
}

/** Collects the page's uncaught errors, so a test can assert there were none. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}
