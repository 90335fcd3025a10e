import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkLockName,
  parseTokenRecord,
  serializeTokenRecord,
  tokenRecordId,
} from '../../../../src/auth/store/record.ts';
import type { TokenRecord } from '../../../../src/auth/store/types.ts';

const key = { resource: 'https://mcp.example/mcp', issuer: 'https://as.example' };
const record: TokenRecord = {
  version: 1,
  ...key,
  updated_at: 100,
  tokens: { access_token: 'at', token_type: 'Bearer', issued_at: 90, expires_at: 120, refresh_token: 'rt' },
  client: { client_id: 'c', registration: 'dynamic', registered_at: 80 },
};

describe('tokenRecordId', () => {
  it('is a stable hex SHA-256 of the (resource, issuer) pair', () => {
    const id = tokenRecordId(key);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(tokenRecordId({ ...key }), id);
  });

  it('tells pairs apart that concatenate to the same text', () => {
    assert.notEqual(tokenRecordId({ resource: 'a', issuer: 'bc' }), tokenRecordId({ resource: 'ab', issuer: 'c' }));
    assert.notEqual(tokenRecordId(key), tokenRecordId({ resource: key.issuer, issuer: key.resource }));
  });
});

describe('parseTokenRecord', () => {
  it('round-trips a serialized record', () => {
    assert.deepEqual(parseTokenRecord(serializeTokenRecord(record), key), { record });
  });

  it('explains what is wrong with a corrupt text', () => {
    const problem = (text: string) => parseTokenRecord(text, key);
    assert.deepEqual(problem(''), { problem: 'empty' });
    assert.deepEqual(problem('{"version":1,'), { problem: 'invalid JSON' });
    assert.deepEqual(problem('[]'), { problem: 'not a JSON object' });
    assert.deepEqual(problem(JSON.stringify({ ...record, version: 2 })), { problem: 'unsupported version 2' });
    assert.deepEqual(problem(JSON.stringify({ ...record, tokens: { access_token: 1 } })), {
      problem: '"tokens.access_token" is not a string',
    });
    assert.deepEqual(problem(JSON.stringify({ ...record, issuer: 'https://other.example' })), {
      problem: 'the record belongs to another (resource, issuer)',
    });
  });
});

describe('serializeTokenRecord', () => {
  it('keeps only the fields a record may hold (never a PKCE verifier or stray data)', () => {
    const withExtra = { ...record, code_verifier: 'v', authorization_code: 'c' } as TokenRecord;
    const stored = JSON.parse(serializeTokenRecord(withExtra));
    assert.deepEqual(Object.keys(stored).sort(), ['client', 'issuer', 'resource', 'tokens', 'updated_at', 'version']);
  });

  it('rejects a malformed record naming the field', () => {
    assert.throws(
      () => serializeTokenRecord({ ...record, resource: '' }),
      (e: any) => e.code === 'INVALID_OPTION' && e.field === 'record.resource',
    );
    assert.throws(
      () => serializeTokenRecord({ ...record, tokens: { ...record.tokens!, issued_at: 'x' as unknown as number } }),
      (e: any) => e.code === 'INVALID_OPTION' && /issued_at/.test(e.message),
    );
  });
});

describe('checkLockName', () => {
  it('accepts simple names and refuses ones that are unsafe in file names or keys', () => {
    for (const ok of ['refresh', 'sign-in', 'step_up.2']) assert.equal(checkLockName(ok), ok);
    for (const bad of ['', '../x', 'a/b', 'a b', '.hidden', 'x'.repeat(65)]) {
      assert.throws(
        () => checkLockName(bad),
        (e: any) => e.code === 'INVALID_OPTION' && e.field === 'name',
      );
    }
  });
});
