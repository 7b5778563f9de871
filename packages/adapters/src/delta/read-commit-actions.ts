import type { ObjectStore } from "@controlroom/executor-kit";
import type { DeltaAction } from "./delta-actions.js";
import { DeltaProtocolError } from "./delta-protocol-error.js";

/**
 * Reads one JSON commit (`_delta_log/NNNNNNNNNNNNNNNNNNNN.json`): one action per line;
 * blank lines are skipped. `undefined` when the commit does not exist.
 *
 * @example
 * ```ts
 * const actions = await readCommitActions(store, "t/_delta_log/00000000000000000000.json");
 * ```
 */
export async function readCommitActions(
  store: ObjectStore,
  key: string,
  signal?: AbortSignal,
): Promise<DeltaAction[] | undefined> {
  const bytes = await store.get(key, { signal });
  if (bytes === undefined) return undefined;
  return parseCommit(new TextDecoder().decode(bytes), key);
}

/**
 * Parses the text of a JSON commit.
 *
 * @example
 * ```ts
 * parseCommit('{"commitInfo":{"operation":"WRITE"}}\n', "00.json"); // [{ commitInfo: { operation: "WRITE" } }]
 * ```
 */
export function parseCommit(text: string, key: string): DeltaAction[] {
  const actions: DeltaAction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line === "") continue;
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch (cause) {
      throw new DeltaProtocolError(`${key} line ${i + 1} is not valid JSON`, { cause });
    }
    if (typeof action !== "object" || action === null || Array.isArray(action)) {
      throw new DeltaProtocolError(`${key} line ${i + 1} is not an action object`);
    }
    actions.push(action as DeltaAction);
  }
  return actions;
}
