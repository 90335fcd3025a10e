import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openBrowser } from '../../../src/auth/interactive/browser.ts';
import { RECORD_ARGV, tempDir } from './helpers.ts';

const tmp = tempDir();
after(() => tmp.cleanup());

async function waitForFile(path: string, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} never appeared`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 50));
  return readFileSync(path, 'utf8');
}

describe('openBrowser with a real $BROWSER process', () => {
  it('passes a URL full of shell metacharacters as one argument, and no shell runs it', async () => {
    const marker = join(tmp.dir, 'pwned');
    const argvFile = join(tmp.dir, 'argv.json');
    // Under `sh -c` this line would run `touch <marker>` (checked by hand with `shell: true`).
    const url = `https://as.example/authorize?x=1;touch\${IFS}${marker};y=$(id)`;
    await openBrowser(url, {
      env: { PATH: process.env['PATH'] ?? '', BROWSER: RECORD_ARGV, RECORD_ARGV_FILE: argvFile },
      platform: 'linux',
    });
    const argv = JSON.parse(await waitForFile(argvFile));
    assert.deepEqual(argv, [new URL(url).href]);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(existsSync(marker), false, 'a shell ran the URL');
  });
});
