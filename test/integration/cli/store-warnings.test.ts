// Item 4 of the CLI review: the store speaks up. The real `mcptool` process reads a token store holding a
// truncated record and a record file open to other users.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileTokenStore } from '../../../src/index.ts';
import { runCli } from './run-cli.ts';

const SERVER = 'http://127.0.0.1:9/mcp';
const OTHER = 'http://127.0.0.1:9/other';
const ISSUER = 'http://127.0.0.1:9/as';

async function storeWith(resource: string): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mcptool-cli-store-'));
  const store = new FileTokenStore({ dir });
  const record = { version: 1 as const, resource, issuer: ISSUER, updated_at: 1_700_000_000 };
  await store.set(record);
  return { dir, path: store.recordPath(record) };
}

async function truncate(path: string): Promise<void> {
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.slice(0, Math.floor(text.length / 2)));
}

describe('item 4: the store speaks up (the real process)', { concurrency: 2 }, () => {
  const dirs: string[] = [];
  let corrupt: { dir: string; path: string };
  let loose: { dir: string; path: string };
  let corruptOther: { dir: string; path: string };
  let corruptMine: { dir: string; path: string };

  before(async () => {
    [corrupt, loose, corruptOther, corruptMine] = await Promise.all([
      storeWith(SERVER),
      storeWith(SERVER),
      storeWith(OTHER),
      storeWith(SERVER),
    ]);
    dirs.push(corrupt.dir, loose.dir, corruptOther.dir, corruptMine.dir);
    await Promise.all([
      truncate(corrupt.path),
      truncate(corruptOther.path),
      truncate(corruptMine.path),
      chmod(loose.path, 0o644),
    ]);
  });

  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('item 4: status warns about a corrupt record with its path and what to do', async () => {
    const run = await runCli(['status', '--token-store', corrupt.dir], { timeoutMs: 180_000 });
    assert.match(run.stderr, /^mcptool: warning: the token store file "[^"]+" is [^\n]+; it was ignored/m);
    assert.ok(run.stderr.includes(corrupt.path), run.stderr);
    assert.match(run.stderr, /Run 'mcptool logout <server>' to remove it/);
  });

  it('item 4: a record file open to other users is restricted to 0600, with a warning', async () => {
    const run = await runCli(['status', '--token-store', loose.dir], { timeoutMs: 180_000 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /warning: the token store file "[^"]+" was open to other users \(mode 0644\); restricted it to 0600/,
    );
    assert.equal(statSync(loose.path).mode & 0o777, 0o600);
    assert.match(run.stdout, /127\.0\.0\.1:9\/mcp/);
  });

  it('item 4: logout removes the corrupt record of its server, and only that one', async () => {
    const [mine, other] = await Promise.all([
      runCli(['logout', SERVER, '--token-store', corruptMine.dir], { timeoutMs: 180_000 }),
      runCli(['logout', SERVER, '--token-store', corruptOther.dir], { timeoutMs: 180_000 }),
    ]);
    assert.equal(mine.code, 0, mine.stderr);
    assert.match(mine.stdout, /Deleted the corrupt record file/);
    assert.equal(existsSync(corruptMine.path), false);
    assert.equal(other.code, 0, other.stderr);
    assert.match(other.stdout, /nothing to do/);
    assert.equal(existsSync(corruptOther.path), true, 'the record of another server stays');
  });
});
