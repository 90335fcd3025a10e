import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { canOpenBrowser, openBrowser, parseBrowserCommand } from '../../../../src/auth/interactive/browser.ts';

function spies() {
  const spawned: { command: string; args: readonly string[]; options: any }[] = [];
  const opened: string[] = [];
  return {
    spawned,
    opened,
    spawn: (command: string, args: readonly string[], options: any) => {
      spawned.push({ command, args, options });
      const child = new EventEmitter() as any;
      child.unref = () => {};
      queueMicrotask(() => child.emit('spawn'));
      return child;
    },
    openDefault: async (url: string) => {
      opened.push(url);
    },
  };
}

describe('openBrowser', () => {
  for (const url of [
    'javascript:alert(1)',
    'file:///etc/passwd',
    'http://evil.example/authorize',
    'http://127.0.0.1.evil.example/',
    'data:text/html,<script>alert(1)</script>',
    'ftp://example.com/',
    'not a url',
  ]) {
    it(`refuses ${url} with UNSAFE_URL and starts nothing`, async () => {
      for (const env of [{ BROWSER: '/usr/bin/firefox' }, {}]) {
        const s = spies();
        await assert.rejects(
          openBrowser(url, { env, platform: 'linux', spawn: s.spawn, openDefault: s.openDefault }),
          (e: any) => e.code === 'UNSAFE_URL' && e.name === 'InsecureEndpointError',
        );
        assert.equal(s.spawned.length, 0);
        assert.equal(s.opened.length, 0);
      }
    });
  }

  it('opens https and loopback http with the platform default when $BROWSER is unset', async () => {
    const s = spies();
    for (const url of [
      'https://as.example/authorize?x=1',
      'http://127.0.0.1:8080/a',
      'http://localhost/b',
      'http://[::1]:9/c',
    ]) {
      await openBrowser(url, { env: {}, platform: 'linux', spawn: s.spawn, openDefault: s.openDefault });
    }
    assert.deepEqual(s.opened, [
      'https://as.example/authorize?x=1',
      'http://127.0.0.1:8080/a',
      'http://localhost/b',
      'http://[::1]:9/c',
    ]);
    assert.equal(s.spawned.length, 0);
  });

  it('runs $BROWSER without a shell, the URL as its one (last) argument', async () => {
    const s = spies();
    const url = 'https://as.example/authorize?a=1;touch%20/tmp/x;b=$(id)';
    await openBrowser(url, {
      env: { BROWSER: 'firefox --new-window' },
      platform: 'linux',
      spawn: s.spawn,
      openDefault: s.openDefault,
    });
    assert.equal(s.spawned.length, 1);
    const call = s.spawned[0]!;
    assert.equal(call.command, 'firefox');
    assert.deepEqual(call.args, ['--new-window', new URL(url).href]);
    assert.equal(call.options.shell, false);
    assert.equal(s.opened.length, 0);
  });

  it('reports a $BROWSER that cannot start as BROWSER_FAILED', async () => {
    await assert.rejects(
      openBrowser('https://as.example/', { env: { BROWSER: '/nonexistent/browser-xyz' }, platform: 'linux' }),
      (e: any) => e.code === 'BROWSER_FAILED',
    );
  });
});

describe('parseBrowserCommand', () => {
  it('splits on whitespace unless the whole value is an existing file', () => {
    assert.deepEqual(parseBrowserCommand('  firefox  -P work '), { command: 'firefox', args: ['-P', 'work'] });
    assert.deepEqual(parseBrowserCommand(process.execPath), { command: process.execPath, args: [] });
  });
});

describe('canOpenBrowser', () => {
  const table: [string, NodeJS.ProcessEnv, NodeJS.Platform, boolean][] = [
    ['Linux desktop (X11)', { DISPLAY: ':0' }, 'linux', true],
    ['Linux desktop (Wayland)', { WAYLAND_DISPLAY: 'wayland-0' }, 'linux', true],
    ['Linux, no display', {}, 'linux', false],
    ['FreeBSD, no display', {}, 'freebsd', false],
    ['WSL', { WSL_DISTRO_NAME: 'Debian' }, 'linux', true],
    ['macOS', {}, 'darwin', true],
    ['Windows', {}, 'win32', true],
    [
      'SSH session (SSH_CONNECTION) even with X forwarding',
      { SSH_CONNECTION: '1 2 3 4', DISPLAY: 'localhost:10' },
      'linux',
      false,
    ],
    ['SSH session (SSH_TTY) on macOS', { SSH_TTY: '/dev/ttys001' }, 'darwin', false],
    ['CI=true', { CI: 'true', DISPLAY: ':0' }, 'linux', false],
    ['CI=1 on macOS', { CI: '1' }, 'darwin', false],
    ['CI=false does not count as CI', { CI: 'false', DISPLAY: ':0' }, 'linux', true],
    ['$BROWSER in CI', { CI: 'true', BROWSER: '/bin/true' }, 'linux', true],
    ['$BROWSER over SSH with no display', { SSH_TTY: '/dev/pts/1', BROWSER: 'lynx' }, 'linux', true],
    ['$BROWSER empty does not count', { BROWSER: '  ' }, 'linux', false],
  ];
  for (const [name, env, platform, expected] of table) {
    it(`${name}: ${expected}`, () => assert.equal(canOpenBrowser(env, platform), expected));
  }
});
