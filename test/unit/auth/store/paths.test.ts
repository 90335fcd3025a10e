import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultTokenStoreDir } from '../../../../src/auth/store/paths.ts';

describe('defaultTokenStoreDir', () => {
  it('prefers $MCPTOOL_HOME on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      assert.equal(defaultTokenStoreDir({ MCPTOOL_HOME: '/srv/tokens', HOME: '/home/u' }, platform), '/srv/tokens');
    }
  });

  it('ignores an empty $MCPTOOL_HOME', () => {
    assert.equal(defaultTokenStoreDir({ MCPTOOL_HOME: '', HOME: '/home/u' }, 'linux'), '/home/u/.local/share/mcptool');
  });

  it('uses $XDG_DATA_HOME on Linux when it is absolute, else ~/.local/share', () => {
    assert.equal(defaultTokenStoreDir({ XDG_DATA_HOME: '/data', HOME: '/home/u' }, 'linux'), '/data/mcptool');
    assert.equal(defaultTokenStoreDir({ HOME: '/home/u' }, 'linux'), '/home/u/.local/share/mcptool');
    // XDG Base Directory Specification: relative paths are invalid and ignored.
    assert.equal(
      defaultTokenStoreDir({ XDG_DATA_HOME: 'rel', HOME: '/home/u' }, 'linux'),
      '/home/u/.local/share/mcptool',
    );
    assert.equal(defaultTokenStoreDir({ HOME: '/home/u' }, 'freebsd'), '/home/u/.local/share/mcptool');
  });

  it('uses ~/Library/Application Support on macOS, ignoring XDG', () => {
    assert.equal(
      defaultTokenStoreDir({ HOME: '/Users/u', XDG_DATA_HOME: '/data' }, 'darwin'),
      '/Users/u/Library/Application Support/mcptool',
    );
  });

  it('uses %LOCALAPPDATA% on Windows, else the profile AppData\\Local', () => {
    assert.equal(
      defaultTokenStoreDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32'),
      'C:\\Users\\u\\AppData\\Local\\mcptool',
    );
    assert.equal(
      defaultTokenStoreDir({ USERPROFILE: 'C:\\Users\\u' }, 'win32'),
      'C:\\Users\\u\\AppData\\Local\\mcptool',
    );
  });

  it('falls back to the given home directory when $HOME is unset', () => {
    assert.equal(defaultTokenStoreDir({}, 'linux', '/home/fallback'), '/home/fallback/.local/share/mcptool');
  });
});
