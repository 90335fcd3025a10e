/**
 * End to end in a real browser: Debian's chromium driven by playwright-core opens the authorization URL of the demo
 * (consent mode), the test clicks Approve on the consent page, the browser lands on the loopback listener's success
 * page, and the demo's tool call completes (then its second run needs no authorization server). Screenshots of
 * the consent and success pages are kept in test-artifacts/ (gitignored).
 *
 * Skipped, saying why, when /usr/bin/chromium is absent (`apt-get install -y chromium`; .ci/run installs it).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { runDemo } from '../../demo/run-demo.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const skip = existsSync(CHROMIUM)
  ? false
  : `Debian's chromium is not installed at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`;

describe('sign-in in a real browser (chromium + playwright-core)', { skip }, () => {
  it('approves on the consent page, lands on the loopback success page, and the tool call completes', async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
      let consentShown!: () => void;
      const shown = new Promise<void>((resolve) => {
        consentShown = resolve;
      });
      let narration = '';
      const demo = runDemo({
        mode: 'browser',
        write: (text) => {
          narration += text;
        },
        // The "system browser" of this sign-in: navigate the playwright page to the authorization URL.
        openBrowser: async (url) => {
          await page.goto(url.href);
          consentShown();
        },
        authorizationTimeoutMs: 30_000,
      });
      await Promise.race([shown, demo.then(() => assert.fail('the demo ended before the consent page was shown'))]);

      assert.match(await page.title(), /authoriz|consent|sign/i);
      const approve = page.getByRole('button', { name: 'Approve' });
      assert.equal(await approve.count(), 1, 'one Approve button');
      assert.equal(await page.getByRole('button', { name: 'Deny' }).count(), 1, 'and one Deny button');
      assert.match((await page.locator('body').textContent()) ?? '', /mcptool/, 'the consent page names the client');
      await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true });

      await Promise.all([page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/), approve.click()]);
      await page.waitForLoadState('load');
      assert.match(await page.title(), /Signed in/);
      assert.match((await page.locator('body').textContent()) ?? '', /You can close this tab/);
      await page.screenshot({ path: join(ARTIFACTS, 'success.png'), fullPage: true });

      const report = await demo;
      assert.equal(report.first.toolCalls, 1, 'the tool call completed');
      assert.match(report.first.toolResult, /"sub":"test-user"/);
      assert.ok(report.first.browserRequestsToAuthorizationServer >= 4, 'authorize, consent page, decision, resume');
      assert.equal(report.second.authorizationServerRequests, 0);
      assert.match(narration, /Opening your browser on the consent page/);
      assert.match(narration, /POST AS {2}\/interaction\/\S+ {2}→ 303/, 'the Approve click, seen by the server');
    } finally {
      await browser.close();
    }
  });
});
