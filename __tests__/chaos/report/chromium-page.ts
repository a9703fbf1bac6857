/**
 * Headless Chromium (Debian's `chromium`) as a person's browser for the HTML report tests: screenshots
 * at a given width, and the page's horizontal overflow measured at that width.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Flags that keep a headless Chromium off the network: only the file:// page is loaded. */
export function chromiumArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-extensions',
    `--user-data-dir=${profile}`,
  ];
}

/** Runs Chromium with a throwaway profile. */
export async function runChromium(chromium: string, args: readonly string[]): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'chaos-report-chromium-'));
  try {
    const { stdout } = await run(chromium, [...chromiumArgs(profile), ...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/** A screenshot of the page `width` px wide; returns the PNG's [width, height]. */
export async function screenshot(chromium: string, page: string, png: string, width: number, height: number): Promise<[number, number]> {
  rmSync(png, { force: true });
  await runChromium(chromium, [`--screenshot=${png}`, `--window-size=${width},${height}`, '--hide-scrollbars', pathToFileURL(page).href]);
  const bytes = readFileSync(png);
  if (bytes.subarray(1, 4).toString('ascii') !== 'PNG') throw new Error(`${png} is not a PNG`);
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

export interface Overflow {
  /** `document.documentElement.scrollWidth` of the report laid out `width` px wide. */
  readonly scrollWidth: number;
  /** `innerWidth` there (the width asked for). */
  readonly innerWidth: number;
  /** Elements whose right edge passes the viewport outside a box that scrolls, as `tag.class`. */
  readonly culprits: readonly string[];
  /** The class (or tag) of the parent of each table box that scrolls sideways at this width. */
  readonly scrolling: readonly string[];
}

/**
 * Lays the report out in a `width` px frame and reads its scroll width. Headless Chromium will not
 * make a window narrower than 500 px, so the report goes into an iframe of that width (srcdoc, so the
 * harness may read it; the report keeps its own CSP and runs no script).
 */
export async function measureOverflow(chromium: string, page: string, width: number): Promise<Overflow> {
  const report = readFileSync(page, 'utf8');
  const srcdoc = report.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const probe = `
window.addEventListener('load', () => {
  const w = document.getElementById('report').contentWindow;
  const d = w.document;
  const scrolls = (el) => { for (let e = el.parentElement; e; e = e.parentElement) { const o = w.getComputedStyle(e).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; } return false; };
  const culprits = [...d.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > w.innerWidth + 0.5 && !scrolls(e)).slice(0, 20).map((e) => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''));
  const scrolling = [...d.querySelectorAll('.table-wrap')].filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.parentElement.className || e.parentElement.tagName.toLowerCase());
  document.body.setAttribute('data-overflow', JSON.stringify({ scrollWidth: d.documentElement.scrollWidth, innerWidth: w.innerWidth, culprits, scrolling }));
});`;
  const harness = join(dirname(page), `overflow-${width}.html`);
  writeFileSync(
    harness,
    `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0}iframe{border:0;display:block}</style></head><body><iframe id="report" width="${width}" height="900" srcdoc="${srcdoc}"></iframe><script>${probe}</script></body></html>`,
  );
  const dom = await runChromium(chromium, [
    '--window-size=1400,1000',
    '--virtual-time-budget=10000',
    '--dump-dom',
    pathToFileURL(harness).href,
  ]);
  const raw = /data-overflow="([^"]*)"/.exec(dom)?.[1];
  if (raw === undefined) throw new Error(`no overflow measured for ${page} at ${width} px`);
  return JSON.parse(raw.replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as Overflow;
}
