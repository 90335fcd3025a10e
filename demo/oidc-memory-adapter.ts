/**
 * An in-memory storage adapter for `oidc-provider`, one per authorization server (the library's own quick-start
 * adapter is a process-wide LRU of 1000 entries shared by every provider in the process, which a test that runs
 * several servers or issues many tokens must not depend on). It also lets the fixture enumerate grants so that
 * a test can revoke everything the test user was given.
 */
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

type Payload = AdapterPayload;

interface Entry {
  payload: Payload;
  expiresAt: number;
}

/** The models whose entries belong to a grant and die with it (`revokeByGrantId`). */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

/** The storage behind one authorization server, and the adapter factory `oidc-provider` takes as `adapter`. */
export interface MemoryStorage {
  /** `oidc-provider`'s `adapter` option: called once per model name. */
  readonly factory: AdapterFactory;
  /** Ids of every stored `Grant`. */
  grantIds(): string[];
  /** Remove every entry that belongs to `grantId` (tokens, codes) and the grant itself. */
  revokeGrant(grantId: string): void;
  /** The stored payload of `model` / `id`, or undefined. */
  get(model: string, id: string): Payload | undefined;
  /** Remove one entry; whether it existed. */
  destroy(model: string, id: string): boolean;
  /** Remove every entry of the given models; how many were removed. */
  clear(models: readonly string[]): number;
}

/** Create an empty storage. Entries expire by their TTL; nothing is evicted otherwise. */
export function createMemoryStorage(now: () => number = Date.now): MemoryStorage {
  const entries = new Map<string, Entry>();
  const grantMembers = new Map<string, Set<string>>();
  const byUserCode = new Map<string, string>();
  const byUid = new Map<string, string>();

  const key = (model: string, id: string) => `${model}:${id}`;
  const read = (k: string): Payload | undefined => {
    const entry = entries.get(k);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(k);
      return undefined;
    }
    return entry.payload;
  };
  const remove = (k: string) => {
    const entry = entries.get(k);
    entries.delete(k);
    if (!entry) return;
    const { grantId, userCode, uid } = entry.payload;
    if (grantId) grantMembers.get(grantId)?.delete(k);
    if (userCode && byUserCode.get(userCode) === k) byUserCode.delete(userCode);
    if (uid && byUid.get(uid) === k) byUid.delete(uid);
  };
  const revokeGrant = (grantId: string) => {
    for (const member of grantMembers.get(grantId) ?? []) remove(member);
    grantMembers.delete(grantId);
    remove(key('Grant', grantId));
  };

  class MemoryAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const k = key(this.model, id);
      remove(k);
      const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      entries.set(k, { payload: { ...payload }, expiresAt });
      if (payload.grantId && GRANTABLE.has(this.model)) {
        let members = grantMembers.get(payload.grantId);
        if (!members) {
          members = new Set();
          grantMembers.set(payload.grantId, members);
        }
        members.add(k);
      }
      if (payload.userCode) byUserCode.set(payload.userCode, k);
      if (this.model === 'Session' && payload.uid) byUid.set(payload.uid, k);
    }
    async find(id: string): Promise<Payload | undefined> {
      const payload = read(key(this.model, id));
      return payload ? { ...payload } : undefined;
    }
    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      const k = byUserCode.get(userCode);
      const payload = k ? read(k) : undefined;
      return payload ? { ...payload } : undefined;
    }
    async findByUid(uid: string): Promise<Payload | undefined> {
      const k = byUid.get(uid);
      const payload = k ? read(k) : undefined;
      return payload ? { ...payload } : undefined;
    }
    async consume(id: string): Promise<void> {
      const payload = read(key(this.model, id));
      if (payload) payload.consumed = Math.floor(now() / 1000);
    }
    async destroy(id: string): Promise<void> {
      remove(key(this.model, id));
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const member of [...(grantMembers.get(grantId) ?? [])]) {
        if (member.startsWith(`${this.model}:`)) remove(member);
      }
    }
  }

  return {
    factory: (model: string) => new MemoryAdapter(model),
    grantIds: () =>
      [...entries.keys()]
        .filter((k) => k.startsWith('Grant:') && read(k) !== undefined)
        .map((k) => k.slice('Grant:'.length)),
    revokeGrant,
    get: (model, id) => read(key(model, id)),
    destroy: (model, id) => {
      const existed = read(key(model, id)) !== undefined;
      remove(key(model, id));
      return existed;
    },
    clear: (models) => {
      let removed = 0;
      for (const k of [...entries.keys()]) {
        if (models.some((m) => k.startsWith(`${m}:`)) && read(k) !== undefined) {
          remove(k);
          removed += 1;
        }
      }
      return removed;
    },
  };
}
