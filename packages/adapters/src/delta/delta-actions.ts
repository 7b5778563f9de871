// The Delta log's actions, as the protocol spells them (PROTOCOL.md "Actions"). Only
// the fields this adapter reads or writes are typed; unknown fields are kept as-is.

/** `protocol`: what a reader and a writer must support. */
export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures?: string[] | undefined;
  writerFeatures?: string[] | undefined;
}

/** `metaData`: the table's identity, schema, partitioning and properties. */
export interface MetadataAction {
  id: string;
  name?: string | null | undefined;
  description?: string | null | undefined;
  format: { provider: string; options?: Record<string, string> | undefined };
  schemaString: string;
  partitionColumns: string[];
  configuration?: Record<string, string | null> | undefined;
  createdTime?: number | null | undefined;
}

/** `add`: a data file joins the table. */
export interface AddAction {
  /** A URI-encoded path, relative to the table root (or absolute). */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** File statistics as a JSON string (JSON commits and checkpoints with writeStatsAsJson). */
  stats?: string | null | undefined;
  /** File statistics as a struct (checkpoints with writeStatsAsStruct). */
  stats_parsed?: Record<string, unknown> | null | undefined;
  tags?: Record<string, string> | null | undefined;
  deletionVector?: unknown;
}

/** `remove`: a data file leaves the table (its bytes stay until vacuumed). */
export interface RemoveAction {
  path: string;
  deletionTimestamp?: number | null | undefined;
  dataChange: boolean;
  extendedFileMetadata?: boolean | null | undefined;
  partitionValues?: Record<string, string | null> | null | undefined;
  size?: number | null | undefined;
  deletionVector?: unknown;
}

/** `txn`: an application's last committed transaction version (idempotent writes). */
export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number | null | undefined;
}

/** `commitInfo`: free-form provenance; never part of the table state. */
export type CommitInfoAction = Record<string, unknown> & {
  timestamp?: number | undefined;
  operation?: string | undefined;
  inCommitTimestamp?: number | undefined;
};

/** One line of a commit file (or one row of a checkpoint). */
export interface DeltaAction {
  protocol?: ProtocolAction | undefined;
  metaData?: MetadataAction | undefined;
  add?: AddAction | undefined;
  remove?: RemoveAction | undefined;
  txn?: TxnAction | undefined;
  commitInfo?: CommitInfoAction | undefined;
  cdc?: unknown;
  domainMetadata?: unknown;
  checkpointMetadata?: unknown;
  sidecar?: unknown;
}
