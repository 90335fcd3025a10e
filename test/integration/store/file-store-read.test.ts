/**
 * What the file token store reads: only this user's own 0600 record files in this user's own directory, never
 * through a symbolic link. The attack: another user prepares the store directory (or a record in it) so that every
 * command sends that user's token. Real files, real ownership (ownership tests need root, as CI's container is).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { canonicalResourceUri } from '../../../src/auth/discovery/well-known.ts';
import { FileTokenStore } from '../../../src/auth/store/file.ts';
import { MCPToolset, OAuthConfig, Secret, StreamableHttpServerInfo } from '../../../src/index.ts';
import { codesOf, type HostileServer, startHostileServer } from '../support/hostile-server.ts';
import { key, memoryLogger, record } from './helpers.ts';

const posix = process.platform !== 'win32';
const root_ = process.getuid?.() === 0;
const OTHER_UID = 12345;

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcptool-store-read-'));
});
after(() => rm(root, { recursive: true, force: true }));

let counter = 0;
/** A store directory with one valid record of `key` written by the store itself. */
async function storeWithRecord(accessToken = 'at') {
  const dir = join(root, `s${++counter}`);
  const store = new FileTokenStore({ dir });
  await store.set(record(key, accessToken));
  return { dir, path: store.recordPath(key) };
}

const refused = (pattern: RegExp) => (e: unknown) => {
  assert.deepEqual(codesOf(e), ['STORE_FAILED'], String(e));
  assert.match(String((e as Error).message), pattern);
  return true;
};

describe('FileTokenStore reads', { skip: !posix }, () => {
  it('item 4: a directory owned by another user is refused on read, naming it and the fix', {
    skip: !root_,
  }, async () => {
    const { dir } = await storeWithRecord();
    await chmod(dir, 0o777);
    await chown(dir, OTHER_UID, OTHER_UID);
    const store = new FileTokenStore({ dir });
    const named = new RegExp(`${dir.replace(/[/\\.]/g, '\\$&')}.*owned by uid ${OTHER_UID}.*(--token-store|remove)`);
    await assert.rejects(store.get(key), refused(named));
    await assert.rejects(store.list(), refused(named));
  });

  it('item 4: a record file owned by another user is refused', { skip: !root_ }, async () => {
    const { path, dir } = await storeWithRecord();
    await chown(path, OTHER_UID, OTHER_UID);
    const store = new FileTokenStore({ dir });
    await assert.rejects(store.get(key), refused(/owned by uid 12345.*remove it \(rm /));
    await assert.rejects(store.list(), refused(/owned by uid 12345/));
  });

  it('item 4: a record file that others may write is refused, saying chmod 600', async () => {
    const { path, dir } = await storeWithRecord();
    await chmod(path, 0o666);
    await assert.rejects(new FileTokenStore({ dir }).get(key), refused(/mode is 0666.*chmod 600/));
    await chmod(path, 0o620);
    await assert.rejects(new FileTokenStore({ dir }).list(), refused(/mode is 0620.*chmod 600/));
  });

  it('a record file that others may only read is tightened to 0600, with a warning', async () => {
    const { path, dir } = await storeWithRecord('mine');
    await chmod(path, 0o644);
    const logger = memoryLogger();
    assert.equal((await new FileTokenStore({ dir, logger }).get(key))?.tokens?.access_token, 'mine');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.ok(logger.entries.some((e) => e.level === 'warn' && e.fields?.['previousMode'] === '0644'));
  });

  it('item 4: a record file that is a symbolic link is not followed', async () => {
    const planted = await storeWithRecord('planted-token');
    const { dir, path } = await storeWithRecord();
    await rm(path);
    await symlink(planted.path, path);
    const logger = memoryLogger();
    assert.equal(await new FileTokenStore({ dir, logger }).get(key), undefined);
    assert.deepEqual(await new FileTokenStore({ dir }).list(), []);
    await assert.rejects(new FileTokenStore({ dir, onCorrupt: 'throw' }).get(key), { code: 'STORE_CORRUPT' });
  });

  it('item 4: a FIFO in place of a record is refused at once (no hang)', async () => {
    const { dir, path } = await storeWithRecord();
    await rm(path);
    execFileSync('mkfifo', ['-m', '600', path]);
    assert.equal(await new FileTokenStore({ dir }).get(key), undefined);
    await assert.rejects(new FileTokenStore({ dir, onCorrupt: 'throw' }).get(key), /not a regular file/);
  });

  it('item 4: a valid store still reads', async () => {
    const { dir } = await storeWithRecord('mine');
    assert.equal((await new FileTokenStore({ dir }).get(key))?.tokens?.access_token, 'mine');
  });
});

describe('a planted token store against an MCP server', { skip: !posix || !root_ }, () => {
  let server: HostileServer;
  before(async () => {
    server = await startHostileServer();
    server.routes.set('/mcp', (_, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer' });
      res.end();
    });
  });
  after(() => server.close());
  afterEach(() => {
    delete process.env['MCPTOOL_TEST_PLANTED'];
  });

  it("item 4: another user's directory with a planted record never sends its token", async () => {
    const resource = canonicalResourceUri(new URL(`${server.origin}/mcp`));
    const dir = join(root, 'planted');
    await mkdir(dir, { recursive: true });
    const planter = new FileTokenStore({ dir: join(root, 'planter') });
    const planted = record({ resource, issuer: server.origin }, 'planted-token');
    planted.tokens = { ...planted.tokens!, expires_at: Math.floor(Date.now() / 1000) + 3600 };
    await planter.set(planted);
    await copyFile(planter.recordPath(planted), join(dir, planter.recordPath(planted).split('/').pop()!));
    await chmod(dir, 0o777);
    await chown(dir, OTHER_UID, OTHER_UID);
    process.env['MCPTOOL_TEST_PLANTED'] = 'x';
    const toolset = new MCPToolset({
      serverInfo: new StreamableHttpServerInfo({
        url: `${server.origin}/mcp`,
        oauth: new OAuthConfig({
          flow: 'client_credentials',
          clientId: 'svc',
          clientSecret: Secret.fromEnv('MCPTOOL_TEST_PLANTED'),
          tokenStore: new FileTokenStore({ dir }),
        }),
      }),
    });
    const failure = await toolset.warmUp().then(
      () => undefined,
      (e: unknown) => e,
    );
    await toolset.close();
    assert.ok(codesOf(failure).includes('STORE_FAILED'), String(failure));
    const sent = server.seen.filter((r) => r.headers.authorization !== undefined).map((r) => r.headers.authorization);
    assert.deepEqual(sent, [], 'a planted token was sent');
  });
});
