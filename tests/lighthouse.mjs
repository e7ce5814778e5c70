// Lighthouse audits of several pages in one run: `node tests/lighthouse.mjs OUT_DIR URL...`
// writes OUT_DIR/0.json, OUT_DIR/1.json, ... (Lighthouse's JSON report of each URL, in order).
//
// One Node process and one Chromium (CHROME_PATH) for every page: the CLI would load
// Lighthouse and start Chromium once per page, most of an audit's time. The default (mobile)
// settings, accessibility and best practices only; no full-page screenshot (used only by the
// HTML report's element thumbnails, never by a score) and no machine benchmark (below).
import fs from "node:fs";
import path from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import {pageFunctions} from "lighthouse/core/lib/page-functions.js";

// Before every page Lighthouse measures the machine: a second of busy loops in the page, for
// the performance category's simulated throttling and a slow-machine warning, neither of
// which is audited here. A fixed desktop-class index instead (the same module object that
// Lighthouse's gatherer reads the function from at each run).
if (typeof pageFunctions.computeBenchmarkIndex === "function") {
  pageFunctions.computeBenchmarkIndex = function computeBenchmarkIndex() { return 1000; };
}

const [outDir, ...urls] = process.argv.slice(2);
if (!outDir || urls.length === 0) {
  console.error("usage: node tests/lighthouse.mjs OUT_DIR URL...");
  process.exit(2);
}
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  for (const [i, url] of urls.entries()) {
    const result = await lighthouse(url, {
      port: chrome.port, output: "json", logLevel: "error",
      onlyCategories: ["accessibility", "best-practices"], disableFullPageScreenshot: true,
      // Quiet windows of 250 ms instead of 1 s after load: they matter to the performance
      // category (not audited here); the page's console errors are still collected through load.
      pauseAfterFcpMs: 0, pauseAfterLoadMs: 250, networkQuietThresholdMs: 250, cpuQuietThresholdMs: 250,
      skipAboutBlank: true,
    });
    if (!result) throw new Error(`no Lighthouse result for ${url}`);
    fs.writeFileSync(path.join(outDir, `${i}.json`), result.report);
  }
} finally {
  await chrome.kill();
}
// Every report is written (synchronously): exit now. Left alone, Node stays up for seconds
// after the last run (something Lighthouse leaves scheduled), as long as an audit.
process.exit(0);
