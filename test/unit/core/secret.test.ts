import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { InvalidOptionError, McptoolError, SerializationError } from '../../../src/core/errors.ts';
import { Secret } from '../../../src/core/secret.ts';
import { deserialize } from '../../../src/core/serialization.ts';

describe('Secret', () => {
  it('resolves from the first set environment variable', () => {
    const s = Secret.fromEnv(['A_UNSET', 'B_SET']);
    assert.equal(s.resolve({ B_SET: 'value' }), 'value');
  });

  it('fails clearly when a strict variable is unset, naming the variable and no value', () => {
    const s = Secret.fromEnv('MCPTOOL_TEST_UNSET');
    assert.throws(
      () => s.resolve({}),
      (e: any) => e.code === 'SECRET_NOT_SET' && /MCPTOOL_TEST_UNSET/.test(e.message),
    );
    assert.equal(Secret.fromEnv('X', { strict: false }).resolve({}), undefined);
  });

  it('serializes env secrets as references and round-trips exactly', () => {
    const s = Secret.fromEnv(['X', 'Y'], { strict: false });
    const dict = s.toDict();
    assert.deepEqual(dict, { type: 'mcptool.Secret', env_vars: ['X', 'Y'], strict: false });
    assert.deepEqual(deserialize<Secret>(dict).toDict(), dict);
  });

  it('never shows a token value, and refuses to serialize it', () => {
    const s = Secret.fromToken('super-secret-value');
    assert.equal(s.resolve(), 'super-secret-value');
    for (const text of [String(s), JSON.stringify({ s }), inspect(s), inspect({ s }, { depth: 5 })]) {
      assert.doesNotMatch(text, /super-secret-value/);
    }
    assert.throws(
      () => s.toDict(),
      (e: any) => e.code === 'NOT_SERIALIZABLE',
    );
  });

  it('refuses bad arguments with an mcptool error naming what was wrong, never a bare TypeError', () => {
    const invalid = (field: RegExp) => (e: unknown) =>
      e instanceof InvalidOptionError &&
      e instanceof McptoolError &&
      e.code === 'INVALID_OPTION' &&
      field.test(e.field);
    assert.throws(() => Secret.fromEnv([]), invalid(/Secret\.fromEnv/));
    assert.throws(() => Secret.fromEnv(['OK', '']), invalid(/Secret\.fromEnv/));
    assert.throws(() => Secret.fromToken(''), invalid(/Secret\.fromToken/));
    assert.throws(
      () => Secret.fromDict({ type: 'mcptool.Secret', env_vars: [1] }),
      (e: unknown) => e instanceof SerializationError && e.code === 'INVALID_DICT' && /env_vars/.test(e.message),
    );
  });
});
