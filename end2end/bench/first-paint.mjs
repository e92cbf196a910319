// Bytes on the wire before first paint and before the chat page is interactive.
// Usage: node bench/first-paint.mjs <base-url> <path> <session-cookie-value>
// "Interactive" is when the hydrated app has opened its WebSocket (the connection badge says
// Online): the WASM is loaded, instantiated and has taken over the server-rendered page.
import { chromium } from '@playwright/test';

const [base, path, cookie] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH || '/usr/bin/chromium' });
const context = await browser.newContext();
await context.addCookies([{ name: 'messenger_session', value: cookie, url: base }]);
const page = await context.newPage();
const cdp = await context.newCDPSession(page);
await cdp.send('Network.enable');
await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
const requests = new Map();
const finished = [];
cdp.on('Network.responseReceived', (e) => requests.set(e.requestId, e.response.url));
cdp.on('Network.loadingFinished', (e) => finished.push({ url: requests.get(e.requestId), bytes: e.encodedDataLength, at: e.timestamp }));
const start = (await cdp.send('Runtime.evaluate', { expression: 'performance.timeOrigin', returnByValue: true })).result.value;

await page.goto(base + path);
await page.getByTestId('connection-state').filter({ hasText: 'Online' }).waitFor({ timeout: 30000 });
const interactiveMs = await page.evaluate(() => performance.now());
const fcpMs = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? 0);
// CDP timestamps are monotonic seconds; anchor them to the first response.
const t0 = Math.min(...finished.map((f) => f.at));
const navAt = await page.evaluate(() => performance.getEntriesByType('navigation')[0].responseEnd);
const rel = (f) => (f.at - t0) * 1000 + navAt;
const sum = (list) => list.reduce((a, f) => a + f.bytes, 0);
const beforePaint = finished.filter((f) => rel(f) <= fcpMs + 1);
const beforeInteractive = finished.filter((f) => rel(f) <= interactiveMs + 1);
console.log(`first contentful paint: ${fcpMs.toFixed(0)} ms, interactive (socket online): ${interactiveMs.toFixed(0)} ms`);
console.log(`bytes before first paint: ${sum(beforePaint)} in ${beforePaint.length} responses`);
for (const f of beforePaint) console.log(`  ${f.bytes.toString().padStart(9)}  ${new URL(f.url).pathname}`);
console.log(`bytes before interactive: ${sum(beforeInteractive)} in ${beforeInteractive.length} responses`);
for (const f of beforeInteractive) console.log(`  ${f.bytes.toString().padStart(9)}  ${new URL(f.url).pathname}`);
void start;
await browser.close();
