import { canonicalDeltaPath } from "./canonical-delta-path.js";
import type {
  AddAction,
  DeltaAction,
  MetadataAction,
  ProtocolAction,
  RemoveAction,
  TxnAction,
} from "./delta-actions.js";

/**
 * The table state a log replay builds: the latest `protocol` and `metaData`, the live
 * files (the last `add` of each path not removed after it), tombstones and each
 * application's last `txn`. Files are keyed by their canonical path, so `a%20b`,
 * `file:/x` and `/x` spellings of one file reconcile.
 *
 * @example
 * ```ts
 * const state = new DeltaLogState();
 * for (const action of checkpointActions) state.apply(action);
 * for (const action of commitActions) state.apply(action);
 * console.log(state.files.size);
 * ```
 */
export class DeltaLogState {
  protocol: ProtocolAction | undefined;
  metadata: MetadataAction | undefined;
  readonly files: Map<string, AddAction>;
  readonly tombstones: Map<string, RemoveAction>;
  readonly txns: Map<string, TxnAction>;

  /** An empty state, or one starting from copies of these maps. */
  constructor(
    files?: ReadonlyMap<string, AddAction>,
    tombstones?: ReadonlyMap<string, RemoveAction>,
    txns?: ReadonlyMap<string, TxnAction>,
  ) {
    this.files = new Map(files);
    this.tombstones = new Map(tombstones);
    this.txns = new Map(txns);
  }

  /**
   * A copy to replay further commits on, leaving this state as it is (a cached
   * version's state is shared and must not change). The actions themselves are shared:
   * replay replaces them, it never edits one.
   */
  clone(): DeltaLogState {
    const copy = new DeltaLogState(this.files, this.tombstones, this.txns);
    copy.protocol = this.protocol;
    copy.metadata = this.metadata;
    return copy;
  }

  /** Applies one action; actions must come in log order (checkpoint first, then commits). */
  apply(action: DeltaAction): void {
    if (action.add != null) {
      // Deletion vectors make (path, dv id) the key; tables with them are refused
      // before their rows are read, so the path alone is enough here.
      const key = canonicalDeltaPath(action.add.path);
      this.files.set(key, action.add);
      this.tombstones.delete(key);
    }
    if (action.remove != null) {
      const key = canonicalDeltaPath(action.remove.path);
      this.files.delete(key);
      this.tombstones.set(key, action.remove);
    }
    if (action.metaData != null) this.metadata = action.metaData;
    if (action.protocol != null) this.protocol = action.protocol;
    if (action.txn != null) this.txns.set(action.txn.appId, action.txn);
  }
}
