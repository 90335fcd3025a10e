/** Identities of objects that are compared by reference (a logger, a fetch, a token store), for cache keys. */

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

/** A number unique to `obj` in this process (the same object always gets the same number). */
export function objectId(obj: object): number {
  let id = objectIds.get(obj);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(obj, id);
  }
  return id;
}
