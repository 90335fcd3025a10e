import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/main.ts';

describe('the command table', () => {
  it('lists each command with its own name and summary, its module loaded on demand', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      assert.equal(command.name, entry.name);
      assert.equal(command.summary, entry.summary);
    }
  });
});
