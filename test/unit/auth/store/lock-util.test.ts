import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelays, resolveLockOptions } from '../../../../src/auth/store/lock-util.ts';

describe('lock options and backoff', () => {
  it('applies the defaults once and validates the fields', () => {
    const o = resolveLockOptions();
    assert.equal(o.ttlMs, 30_000);
    assert.equal(o.waitMs, 60_000);
    assert.equal(resolveLockOptions({ waitMs: 0 }).waitMs, 0);
    assert.throws(
      () => resolveLockOptions({ ttlMs: 0 }),
      (e: any) => e.field === 'options.ttlMs',
    );
    assert.throws(
      () => resolveLockOptions({ waitMs: -1 }),
      (e: any) => e.field === 'options.waitMs',
    );
  });

  it('grows polling delays up to the cap, with jitter', () => {
    const delays = backoffDelays(10, 100);
    const first = Array.from({ length: 20 }, () => delays.next().value);
    assert.ok(first[0]! >= 7 && first[0]! <= 13);
    assert.ok(first.every((d) => d >= 1 && d <= 125));
    assert.ok(first.slice(-5).every((d) => d >= 75));
  });
});
