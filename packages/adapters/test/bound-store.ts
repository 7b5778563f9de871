import type { ObjectStore } from "@controlroom/executor-kit";

/**
 * A copy of `inner` whose methods a test may replace one by one: every method is bound
 * to the real store, which keeps its state in private fields.
 */
export function boundStore(inner: ObjectStore): ObjectStore {
  return {
    get: inner.get.bind(inner),
    put: inner.put.bind(inner),
    putIfAbsent: inner.putIfAbsent.bind(inner),
    delete: inner.delete.bind(inner),
    stat: inner.stat.bind(inner),
    uri: inner.uri.bind(inner),
    list: inner.list.bind(inner),
  };
}
