import { chromium, type Browser, type Page } from "playwright-core";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "..", "..", "..");
export const screenshots = join(root, "test-output", "screenshots");
export const CHROMIUM = process.env.FH_CHROMIUM ?? "/usr/bin/chromium";

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: sudo apt-get install -y chromium (or set FH_CHROMIUM)`);
  mkdirSync(screenshots, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Console errors, page errors and blocked requests of a page: the test asserts they stay empty. */
export function watch(page: Page, allowHost?: string): { errors: string[]; blocked: string[] } {
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  void page.route("**/*", (route) => {
    const url = route.request().url();
    if (
      url.startsWith("file:") ||
      url.startsWith("data:") ||
      url.startsWith("blob:") ||
      (allowHost && url.startsWith(allowHost))
    )
      return route.continue();
    blocked.push(url);
    return route.abort();
  });
  return { errors, blocked };
}

export interface DrawnPlot {
  readonly svgMarks: number;
  readonly glCanvases: number;
  readonly width: number;
}

/** What each Plotly plot on the page drew: SVG marks (points, lines, fills) and non-empty WebGL canvases. */
export async function drawnPlots(page: Page, selector: string): Promise<DrawnPlot[]> {
  return page.$$eval(selector, (els) =>
    els.map((el) => {
      const marks = el.querySelectorAll(
        ".scatterlayer .trace path, .scatterlayer .point, .scatterlayer .js-line",
      ).length;
      const canvases = [...el.querySelectorAll("canvas.gl-canvas, canvas")].filter(
        (c) => (c as HTMLCanvasElement).width > 0 && (c as HTMLCanvasElement).height > 0,
      ).length;
      return { svgMarks: marks, glCanvases: canvases, width: (el as HTMLElement).getBoundingClientRect().width };
    }),
  );
}
