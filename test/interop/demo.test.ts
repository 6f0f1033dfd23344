/**
 * The demo (examples/demo/server.mjs, what `npm start` runs) in headless
 * Chromium: two pages chat through the hub, the echo panel echoes, both
 * negotiate permessage-deflate with the browser (the page shows
 * WebSocket.extensions), and a screenshot is saved to test/artifacts/demo-chat.png (ignored by git).
 */
import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, type Chromium } from '../helpers/chromium.mjs';
import { NODE, ROOT, killAll, startPeer } from './helpers/processes.js';

let browser: Chromium | undefined;
afterAll(async () => {
  await browser?.close();
  await killAll();
});

describe('the demo in two browser pages', () => {
  it('delivers a chat message to both pages and echoes in the echo panel', async () => {
    const demo = startPeer(NODE, ['examples/demo/server.mjs', '--port', '0', '--host', '127.0.0.1'], { cwd: ROOT });
    const line = await demo.waitFor((l) => typeof l.text === 'string' && l.text.startsWith('demo: listening on '));
    const url = String(line.text).slice('demo: listening on '.length);

    browser = await launchChromium();
    const alice = await browser.context.newPage();
    const bob = await browser.context.newPage();
    await alice.setViewportSize({ width: 1100, height: 640 });
    for (const page of [alice, bob]) {
      await page.goto(url);
      await page.locator('#chat-status', { hasText: 'connected' }).waitFor({ timeout: 10_000 });
    }
    // The chat room compresses without context takeover, so a broadcast is compressed once for all.
    for (const page of [alice, bob]) {
      expect(await page.locator('#chat-extensions').textContent()).toBe('permessage-deflate; server_no_context_takeover');
    }
    await alice.fill('#chat-name', 'alice');
    await bob.fill('#chat-name', 'bob');

    await alice.fill('#chat-input', 'Hello from Alice — ça va ?');
    await alice.click('#chat-send');
    for (const page of [alice, bob]) {
      await page.locator('#chat-log li', { hasText: 'alice: Hello from Alice — ça va ?' }).waitFor({ timeout: 10_000 });
    }
    await bob.fill('#chat-input', 'Hi Alice, Bob here.');
    await bob.press('#chat-input', 'Enter');
    for (const page of [alice, bob]) {
      await page.locator('#chat-log li', { hasText: 'bob: Hi Alice, Bob here.' }).waitFor({ timeout: 10_000 });
    }
    const aliceLog = await alice.locator('#chat-log li').allTextContents();
    const bobLog = await bob.locator('#chat-log li').allTextContents();
    expect(aliceLog).toContain('alice: Hello from Alice — ça va ?');
    expect(bobLog).toContain('alice: Hello from Alice — ça va ?');
    expect(aliceLog.filter((t) => !t.startsWith('*'))).toEqual(bobLog.filter((t) => !t.startsWith('*')));

    await alice.click('#echo-open');
    await alice.locator('#echo-status', { hasText: 'open' }).waitFor({ timeout: 10_000 });
    expect(await alice.locator('#echo-extensions').textContent()).toBe('permessage-deflate');
    await alice.fill('#echo-input', 'Echo this, please ✓');
    await alice.click('#echo-send');
    await alice.locator('#echo-log li', { hasText: 'RESPONSE: Echo this, please ✓' }).waitFor({ timeout: 10_000 });

    mkdirSync(`${ROOT}test/artifacts`, { recursive: true });
    await alice.screenshot({ path: `${ROOT}test/artifacts/demo-chat.png`, fullPage: true });

    await alice.click('#echo-close');
    await alice.locator('#echo-log li', { hasText: 'CLOSE 1000' }).waitFor({ timeout: 10_000 });
  });
});
