import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findServerRecords, recordServes, withServer } from '../../../../src/auth/store/lookup.ts';
import { MemoryTokenStore } from '../../../../src/auth/store/memory.ts';
import { parseTokenRecord, serializeTokenRecord } from '../../../../src/auth/store/record.ts';
import type { TokenRecord } from '../../../../src/auth/store/types.ts';

const ORIGIN = 'https://mcp.example.com';
const ROOT_DOC = `${ORIGIN}/.well-known/oauth-protected-resource`;

function record(extra: Partial<TokenRecord> = {}): TokenRecord {
  return { version: 1, resource: `${ORIGIN}/`, issuer: 'https://auth.example.com', updated_at: 1, ...extra };
}

describe('findServerRecords / recordServes', () => {
  it('item 1: a record serves the server URLs it was obtained for', () => {
    const r = record({ servers: [`${ORIGIN}/a`] });
    assert.equal(recordServes(r, { serverUrl: `${ORIGIN}/a` }), true);
    assert.equal(recordServes(r, { serverUrl: `${ORIGIN}/b` }), false);
  });

  it('item 2: another server URL only when its own discovery went through the same metadata document', () => {
    const r = record({ servers: [`${ORIGIN}/a`], discovery: { resource_metadata_url: ROOT_DOC, fetched_at: 1 } });
    assert.equal(recordServes(r, { serverUrl: `${ORIGIN}/c`, resourceMetadataUrl: ROOT_DOC }), true);
    assert.equal(recordServes(r, { serverUrl: `${ORIGIN}/b`, resourceMetadataUrl: `${ORIGIN}/b/prm.json` }), false);
    assert.equal(recordServes(r, { serverUrl: `${ORIGIN}/b` }), false, 'before discovery: only its servers');
  });

  it('a record written before servers were kept serves what its resource identifies', () => {
    const r = record();
    assert.equal(recordServes(r, { serverUrl: `${ORIGIN}/mcp` }), true);
    assert.equal(recordServes(r, { serverUrl: 'https://other.example/mcp' }), false);
  });

  it('lists the matching records, newest first; withServer adds a URL once', async () => {
    const store = new MemoryTokenStore();
    await store.set(record({ servers: [`${ORIGIN}/a`], issuer: 'https://one.example', updated_at: 1 }));
    await store.set(record({ servers: [`${ORIGIN}/a`], issuer: 'https://two.example', updated_at: 2 }));
    await store.set(record({ servers: [`${ORIGIN}/b`], issuer: 'https://three.example', updated_at: 3 }));
    const found = await findServerRecords(store, `${ORIGIN}/a`);
    assert.deepEqual(
      found.map((r) => r.issuer),
      ['https://two.example', 'https://one.example'],
    );
    const added = withServer(record({ servers: [`${ORIGIN}/a`] }), `${ORIGIN}/b`);
    assert.deepEqual(added.servers, [`${ORIGIN}/a`, `${ORIGIN}/b`]);
    assert.equal(withServer(added, `${ORIGIN}/b`), added);
  });

  it('servers and resource_metadata_url survive serialization; a malformed servers list is refused', () => {
    const r = record({ servers: [`${ORIGIN}/a`], discovery: { resource_metadata_url: ROOT_DOC, fetched_at: 1 } });
    const parsed = parseTokenRecord(serializeTokenRecord(r));
    assert.ok('record' in parsed);
    assert.deepEqual(parsed.record.servers, [`${ORIGIN}/a`]);
    assert.equal(parsed.record.discovery?.resource_metadata_url, ROOT_DOC);
    const bad = parseTokenRecord(JSON.stringify({ ...r, servers: [1] }));
    assert.ok('problem' in bad && /servers/.test(bad.problem));
  });
});
