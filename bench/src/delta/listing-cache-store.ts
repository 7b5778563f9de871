import type { ObjectInfo, ObjectStore } from "@controlroom/executor-kit";

/**
 * An {@link ObjectStore} wrapper that remembers `list()` results and keeps them up to
 * date with its own writes. Only for building the benchmark fixture, where this process
 * is the only writer: the local store's `list()` stats every file, so each append to a
 * table of n commits would otherwise cost n `stat` calls and the build would take hours.
 * Measurements never use it.
 */
export class ListingCacheStore implements ObjectStore {
  readonly #inner: ObjectStore;
  readonly #listings = new Map<string, ObjectInfo[]>();

  constructor(inner: ObjectStore) {
    this.#inner = inner;
  }

  get(...args: Parameters<ObjectStore["get"]>) {
    return this.#inner.get(...args);
  }

  async put(...args: Parameters<ObjectStore["put"]>) {
    const info = await this.#inner.put(...args);
    await this.#remember(args[0]);
    return info;
  }

  async putIfAbsent(...args: Parameters<ObjectStore["putIfAbsent"]>) {
    const info = await this.#inner.putIfAbsent(...args);
    if (info !== undefined) await this.#remember(args[0]);
    return info;
  }

  async *list(prefix: string, options?: Parameters<ObjectStore["list"]>[1]) {
    let listing = this.#listings.get(prefix);
    if (listing === undefined) {
      listing = [];
      for await (const info of this.#inner.list(prefix, options)) listing.push(info);
      this.#listings.set(prefix, listing);
    }
    yield* [...listing];
  }

  async delete(...args: Parameters<ObjectStore["delete"]>) {
    await this.#inner.delete(...args);
    for (const [prefix, listing] of this.#listings) {
      if (!args[0].startsWith(prefix)) continue;
      const at = listing.findIndex((info) => info.key === args[0]);
      if (at >= 0) listing.splice(at, 1);
    }
  }

  stat(...args: Parameters<ObjectStore["stat"]>) {
    return this.#inner.stat(...args);
  }

  uri(key: string) {
    return this.#inner.uri(key);
  }

  async #remember(key: string): Promise<void> {
    const prefixes = [...this.#listings.keys()].filter((prefix) => key.startsWith(prefix));
    if (prefixes.length === 0) return;
    const info = await this.#inner.stat(key);
    if (info === undefined) return;
    for (const prefix of prefixes) {
      const listing = this.#listings.get(prefix) as ObjectInfo[];
      const existing = listing.findIndex((entry) => entry.key === key);
      if (existing >= 0) {
        listing[existing] = info;
        continue;
      }
      // Keys are ASCII here, so string order is the stores' UTF-8 byte order.
      let at = listing.length;
      while (at > 0 && (listing[at - 1] as ObjectInfo).key > key) at--;
      listing.splice(at, 0, info);
    }
  }
}
