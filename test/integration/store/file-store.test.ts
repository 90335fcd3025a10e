import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { OAuthConfig } from '../../../src/auth/config.ts';
import { FileTokenStore } from '../../../src/auth/store/file.ts';
import type { TokenRecord } from '../../../src/auth/store/types.ts';
import { withLock } from '../../../src/auth/store/with-lock.ts';
import { Secret } from '../../../src/core/secret.ts';
import { deserialize } from '../../../src/core/serialization.ts';
import { counterOf, counterRecord } from '../../fixtures/store-worker.ts';
import { key, memoryLogger, other, record } from './helpers.ts';
import { killAllWorkers, startWorker } from './workers.ts';

const posix = process.platform !== 'win32';
const mode = async (path: string) => (await stat(path)).mode & 0o777;

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcptool-store-'));
});
after(async () => {
  await killAllWorkers();
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
const freshDir = () => join(root, `s${++counter}`, 'mcptool');

describe('FileTokenStore on disk', () => {
  let savedUmask: number | undefined;
  afterEach(() => {
    if (savedUmask !== undefined) process.umask(savedUmask);
    savedUmask = undefined;
  });

  it('creates the directory 0700 and every file 0600, whatever the umask', { skip: !posix }, async () => {
    // With umask 0, anything that does not set its mode explicitly comes out 0777/0666.
    savedUmask = process.umask(0);
    const dir = freshDir();
    const store = new FileTokenStore({ dir });
    await store.set(record());
    const lock = await store.lock(key, 'refresh');
    assert.equal(await mode(dir), 0o700);
    const names = await readdir(dir);
    assert.equal(names.length, 2);
    for (const name of names) assert.equal(await mode(join(dir, name)), 0o600, name);
    await lock.release();
    assert.deepEqual(await readdir(dir), [`${store.recordPath(key).split('/').pop()}`]);
  });

  it('writes records 0600 even under a umask that would strip the owner bits', { skip: !posix }, async () => {
    savedUmask = process.umask(0o277);
    const store = new FileTokenStore({ dir: freshDir() });
    await store.set(record());
    assert.equal(await mode(store.recordPath(key)), 0o600);
  });

  it('tightens an existing directory with group/other access to 0700 and says so', { skip: !posix }, async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o755);
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir, logger });
    await store.set(record());
    assert.equal(await mode(dir), 0o700);
    const warning = logger.entries.find((e) => e.level === 'warn');
    assert.equal(warning?.fields?.['path'], dir);
    assert.equal(warning?.fields?.['previousMode'], '0755');
  });

  it('refuses a directory owned by another user', { skip: !posix || process.getuid?.() !== 0 }, async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const { chown } = await import('node:fs/promises');
    await chown(dir, 12345, 12345);
    await assert.rejects(
      new FileTokenStore({ dir }).set(record()),
      (e: any) => e.code === 'STORE_FAILED' && /owned by uid 12345/.test(e.message),
    );
  });

  it('stores one file per (resource, issuer) that carries both, and lists and deletes them', async () => {
    const store = new FileTokenStore({ dir: freshDir() });
    await store.set(record());
    await store.set(record(other));
    const onDisk = JSON.parse(await readFile(store.recordPath(key), 'utf8'));
    assert.equal(onDisk.resource, key.resource);
    assert.equal(onDisk.issuer, key.issuer);
    assert.deepEqual(await store.get(key), record());
    assert.equal((await store.list()).length, 2);
    assert.deepEqual(await store.list(other.resource), [record(other)]);
    await store.delete(key);
    await store.delete(key);
    assert.equal(await store.get(key), undefined);
    assert.deepEqual(await new FileTokenStore({ dir: freshDir() }).list(), []);
  });

  it('never shows a partial record to a reader while a large record is rewritten', async () => {
    const store = new FileTokenStore({ dir: freshDir() });
    const path = store.recordPath(key);
    const big = (n: number) => counterRecord(key, n, String(n % 10).repeat(1_000_000));
    await store.set(big(0));
    let writing = true;
    let reads = 0;
    const writer = (async () => {
      for (let i = 1; i <= 15; i++) await store.set(big(i));
      writing = false;
    })();
    while (writing) {
      const text = await readFile(path, 'utf8');
      const parsed = JSON.parse(text) as TokenRecord; // throws on a partial file
      const padding = (parsed.discovery?.authorization_server_metadata?.['padding'] ?? '') as string;
      assert.equal(padding.length, 1_000_000);
      assert.equal(padding[0], String(counterOf(parsed) % 10));
      reads++;
    }
    await writer;
    assert.ok(reads > 2, `only ${reads} reads`);
    // No temp files are left behind.
    assert.deepEqual(
      (await readdir(store.dir)).filter((n) => n.endsWith('.tmp')),
      [],
    );
  });

  it('reports a corrupt or unreadable file with its path, treats it as absent and leaves the others alone', async () => {
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir: freshDir(), logger });
    await store.set(record());
    await store.set(record(other));
    const corruptPath = store.recordPath(key);
    await writeFile(corruptPath, '{"version":1,"resource":');
    const third = { resource: 'https://third.example/mcp', issuer: 'https://as.example' };
    await mkdir(store.recordPath(third)); // unreadable: a directory where the file should be

    assert.equal(await store.get(key), undefined);
    assert.deepEqual(await store.get(other), record(other));
    assert.deepEqual(await store.list(), [record(other)]);
    assert.equal(await store.get(third), undefined);
    const warned = logger.entries.filter((e) => e.level === 'warn').map((e) => e.fields?.['path']);
    assert.ok(warned.includes(corruptPath));
    assert.ok(warned.includes(store.recordPath(third)));
    assert.equal(await readFile(corruptPath, 'utf8'), '{"version":1,"resource":'); // left for inspection

    const strict = new FileTokenStore({ dir: store.dir, onCorrupt: 'throw' });
    await assert.rejects(
      strict.get(key),
      (e: any) => e.code === 'STORE_CORRUPT' && e.message.includes(corruptPath) && /invalid JSON/.test(e.message),
    );
    // A later write replaces the corrupt record.
    await store.set(record(key, 'new'));
    assert.equal((await store.get(key))?.tokens?.access_token, 'new');
  });

  it('removes temp files abandoned by killed writers once they are old, and only those', async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const old = join(dir, '.0123456789abcdef.tmp');
    const recent = join(dir, '.fedcba9876543210.tmp');
    await writeFile(old, 'partial');
    await writeFile(recent, 'partial');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, hourAgo, hourAgo);
    await new FileTokenStore({ dir }).set(record());
    const names = await readdir(dir);
    assert.ok(!names.includes('.0123456789abcdef.tmp'));
    assert.ok(names.includes('.fedcba9876543210.tmp')); // may belong to a writer still running
  });

  it('treats a record filed under another key as corrupt', async () => {
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir: freshDir(), logger });
    await store.set(record(other));
    await writeFile(store.recordPath(key), await readFile(store.recordPath(other)), { mode: 0o600 });
    assert.equal(await store.get(key), undefined);
    assert.equal((await store.list()).length, 1);
    assert.equal(logger.entries.filter((e) => e.level === 'warn' && /corrupt/.test(e.message)).length, 2);
  });

  it('item 4: a record file open to other users is restricted to 0600 on read, with a warning', async () => {
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir: freshDir(), logger });
    await store.set(record(key));
    await chmod(store.recordPath(key), 0o644);
    assert.ok(await store.get(key));
    assert.equal((await stat(store.recordPath(key))).mode & 0o777, 0o600);
    const warning = logger.entries.find((e) => e.level === 'warn' && /permissions of a record file/.test(e.message));
    assert.deepEqual(warning?.fields, { path: store.recordPath(key), previousMode: '0644' });
  });

  it('serializes by reference: the dir it was given, or none for the default', () => {
    const dir = freshDir();
    const store = new FileTokenStore({ dir });
    assert.deepEqual(store.toDict(), { type: 'mcptool.FileTokenStore', dir });
    assert.equal(deserialize<FileTokenStore>(store.toDict()).dir, dir);
    const saved = process.env['MCPTOOL_HOME'];
    process.env['MCPTOOL_HOME'] = join(root, 'home');
    try {
      const byDefault = new FileTokenStore();
      assert.equal(byDefault.dir, join(root, 'home'));
      assert.deepEqual(byDefault.toDict(), { type: 'mcptool.FileTokenStore' });
    } finally {
      if (saved === undefined) delete process.env['MCPTOOL_HOME'];
      else process.env['MCPTOOL_HOME'] = saved;
    }
    const config = new OAuthConfig({
      flow: 'client_credentials',
      clientId: 'svc',
      clientSecret: Secret.fromEnv('MCP_CLIENT_SECRET'),
      tokenStore: store,
    });
    assert.equal((OAuthConfig.fromDict(config.toDict()).tokenStore as FileTokenStore).dir, dir);
  });
});

describe('FileTokenStore lock', () => {
  it('excludes holders in one process, times out, and aborts', async () => {
    const store = new FileTokenStore({ dir: freshDir() });
    const second = new FileTokenStore({ dir: store.dir }); // another instance on the same directory
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withLock(i % 2 ? store : second, key, 'refresh', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((r) => setTimeout(r, 1));
          inside--;
        }),
      ),
    );
    assert.equal(maxInside, 1);
    const held = await store.lock(key, 'refresh');
    await assert.rejects(second.lock(key, 'refresh', { waitMs: 50 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(second.lock(key, 'refresh', { signal: controller.signal }), (e: any) => e.code === 'ABORTED');
    await held.release();
    await (await second.lock(key, 'refresh', { waitMs: 0 })).release();
  });

  it('writes its owner into the lock file and deletes it only while it holds its token', async () => {
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir: freshDir(), logger });
    const lock = await store.lock(key, 'refresh', { ttlMs: 5000 });
    const lockName = (await readdir(store.dir)).find((n) => n.endsWith('.refresh.lock'))!;
    const owner = JSON.parse(await readFile(join(store.dir, lockName), 'utf8'));
    assert.equal(owner.pid, process.pid);
    assert.equal(typeof owner.hostname, 'string');
    assert.match(owner.token, /^[0-9a-f-]{36}$/);
    assert.equal(owner.ttl_ms, 5000);
    assert.ok(Math.abs(owner.acquired_at - Date.now()) < 5000);
    // Someone else's lock replaces ours (as after a takeover): our release must leave it.
    const foreign = { ...owner, token: 'someone-else', pid: 1 };
    await writeFile(join(store.dir, lockName), JSON.stringify(foreign));
    await lock.release();
    assert.equal(JSON.parse(await readFile(join(store.dir, lockName), 'utf8')).token, 'someone-else');
    assert.ok(logger.entries.some((e) => e.level === 'warn' && /taken over/.test(e.message)));
  });

  it('takes over a lock whose ttl has passed', async () => {
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir: freshDir(), logger });
    const stale = await store.lock(key, 'refresh', { ttlMs: 100 });
    const started = Date.now();
    const next = await store.lock(key, 'refresh', { waitMs: 5000 });
    assert.ok(Date.now() - started >= 90);
    assert.ok(logger.entries.some((e) => e.level === 'info' && e.fields?.['reason'] === 'its ttl has passed'));
    await stale.release(); // a no-op: the lock is no longer ours
    await assert.rejects(store.lock(key, 'refresh', { waitMs: 30 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    await next.release();
  });

  it('takes over a lock left by a previous process that had our pid', async () => {
    const store = new FileTokenStore({ dir: freshDir() });
    await store.set(record());
    const lockPath = store.recordPath(key).replace(/\.json$/, '.refresh.lock');
    const { hostname } = await import('node:os');
    const leftover = { pid: process.pid, hostname: hostname(), token: 'old', acquired_at: Date.now(), ttl_ms: 60_000 };
    const handle = await open(lockPath, 'wx', 0o600);
    await handle.writeFile(JSON.stringify(leftover));
    await handle.close();
    const lock = await store.lock(key, 'refresh', { waitMs: 2000 });
    await lock.release();
  });

  it('serializes 6 processes incrementing a counter under the lock: the count is exact', async () => {
    const dir = freshDir();
    const store = new FileTokenStore({ dir });
    const iterations = 15;
    const workers = Array.from({ length: 6 }, () =>
      startWorker({ store: { kind: 'file', dir }, mode: 'count', key, iterations }),
    );
    for (const w of workers) {
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, stderr);
    }
    assert.equal(counterOf(await store.get(key)), 6 * iterations);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => !n.endsWith('.json')),
      [],
    );
  });

  it('recovers quickly when the holder is killed (SIGKILL): the owner pid is gone', async () => {
    const dir = freshDir();
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir, logger });
    const holder = startWorker({ store: { kind: 'file', dir }, mode: 'hold', key, ttlMs: 60_000 });
    await holder.printed('READY');
    await assert.rejects(store.lock(key, 'refresh', { waitMs: 100 }), (e: any) => e.code === 'LOCK_TIMEOUT');
    await holder.kill('SIGKILL');
    const started = Date.now();
    const lock = await store.lock(key, 'refresh', { waitMs: 20_000 });
    assert.ok(Date.now() - started < 15_000, 'recovered long before the 60 s ttl');
    assert.ok(logger.entries.some((e) => e.fields?.['reason'] === 'its owner process is gone'));
    await lock.release();
  });

  it('lets several waiting processes recover a dead holder without two of them holding it', async () => {
    const dir = freshDir();
    const store = new FileTokenStore({ dir });
    const holder = startWorker({ store: { kind: 'file', dir }, mode: 'hold', key, ttlMs: 60_000 });
    await holder.printed('READY');
    const workers = Array.from({ length: 6 }, () =>
      startWorker({ store: { kind: 'file', dir }, mode: 'count', key, iterations: 5 }),
    );
    await new Promise((r) => setTimeout(r, 1500)); // let them queue on the held lock
    await holder.kill('SIGKILL');
    for (const w of workers) {
      const { code, stderr } = await w.exited;
      assert.equal(code, 0, stderr);
    }
    assert.equal(counterOf(await store.get(key)), 30);
  });

  it('leaves no corrupt record when a process is killed while writing', async () => {
    const dir = freshDir();
    const logger = memoryLogger();
    const store = new FileTokenStore({ dir, logger });
    for (let round = 0; round < 5; round++) {
      const writer = startWorker({ store: { kind: 'file', dir }, mode: 'write-loop', key, bytes: 3_000_000 });
      await writer.printed('READY');
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 80));
      await writer.kill('SIGKILL');
      const got = await store.get(key);
      assert.ok(got !== undefined && counterOf(got) >= 1, `round ${round}: a complete record`);
      assert.equal(await store.list().then((l) => l.length), 1);
    }
    assert.deepEqual(
      logger.entries.filter((e) => e.level === 'warn'),
      [],
    );
  });
});
