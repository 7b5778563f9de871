import { randomBytes, randomUUID } from "node:crypto";
import type { CommitProvenance, ObjectStore } from "@controlroom/executor-kit";
import { IcebergCommitConflictError } from "./iceberg-commit-conflict-error.js";
import { IcebergCommitStateUnknownError } from "./iceberg-commit-state-unknown-error.js";
import { IcebergError } from "./iceberg-error.js";
import {
  ADDED,
  DELETED,
  EXISTING,
  type IcebergDataFile,
  type ManifestEntryToWrite,
  type ManifestFile,
  writeManifest,
  writeManifestList,
} from "./iceberg-manifests.js";
import { type IcebergTableMetadata, schemaOf, specOf } from "./iceberg-metadata.js";
import { nextMetadataFileName, withSnapshot } from "./iceberg-metadata-updates.js";
import { snapshotSummary } from "./iceberg-snapshot-summary.js";
import type { IcebergSqlCatalog, IcebergTableIdentifier } from "./iceberg-sql-catalog.js";
import { stringifyLosslessJson } from "./lossless-json.js";
import { readMetadataFile, requireStoreKey } from "./read-iceberg-files.js";
import { liveOf, loadManifests, readSnapshotManifests } from "./read-snapshot-files.js";

/** The table a change is committed to. */
export interface IcebergCommitContext {
  store: ObjectStore;
  catalog: IcebergSqlCatalog;
  identifier: IcebergTableIdentifier;
  /** Catalog commits an append tries before giving up on racing writers. */
  maxAttempts: number;
  signal?: AbortSignal | undefined;
}

/** A change to commit as one new snapshot. */
export interface IcebergChange {
  /** The summary's operation: `append`, `overwrite`, `delete`. */
  operation: "append" | "overwrite" | "delete";
  /** Data files (already uploaded) to add, written with `schemaId` and `specId`. */
  add: readonly IcebergDataFile[];
  /** Which live files to remove (`undefined`: none, a blind append). */
  remove?: ((file: IcebergDataFile) => boolean) | undefined;
  /** The schema and default partition spec the files were written for. */
  schemaId: number;
  specId: number;
  /**
   * Commit only on top of this snapshot (`null`: only while the table has none); an
   * overwrite needs it. `undefined` re-applies the change on whatever is current.
   */
  expectedSnapshotId?: bigint | null | undefined;
  provenance: CommitProvenance;
}

/** What a commit made. */
export interface IcebergCommitResult {
  snapshotId: bigint;
  /** The new snapshot's sequence number (the lakehouse's version). */
  sequenceNumber: number;
  /** The metadata file the catalog now names. */
  metadataLocation: string;
  /** Catalog commits tried (1 when no other writer got in between). */
  attempts: number;
}

/** The table's catalog row and metadata, as read now. */
export interface CurrentTable {
  metadataLocation: string;
  metadata: IcebergTableMetadata;
}

/** Reads the catalog row and the metadata file it names. */
export async function loadCurrentTable(
  context: Pick<IcebergCommitContext, "store" | "catalog" | "identifier" | "signal">,
): Promise<CurrentTable | undefined> {
  const entry = await context.catalog.loadTable(context.identifier);
  if (entry === undefined) return undefined;
  return {
    metadataLocation: entry.metadataLocation,
    metadata: await readMetadataFile(context.store, entry.metadataLocation, context.signal),
  };
}

/**
 * Commits `change` as a new snapshot through the catalog: writes the manifest of the
 * added files (once), then per attempt re-reads the table, builds the manifest list
 * (reusing the current manifests; rewriting those with removed files, marked DELETED)
 * and the next metadata file, and swaps the catalog row
 * (`UPDATE … WHERE metadata_location = <read>`). When another writer got in first, the
 * change is re-applied on top of theirs (same snapshot id, the next sequence number),
 * unless it was conditional on the snapshot it read (`expectedSnapshotId`) or the
 * schema or spec changed: then {@link IcebergCommitConflictError}. Files of failed
 * attempts are deleted; when the outcome is unknown
 * ({@link IcebergCommitStateUnknownError}) nothing is deleted and nothing retried.
 */
export async function commitIcebergChange(
  context: IcebergCommitContext,
  change: IcebergChange,
): Promise<IcebergCommitResult> {
  const { store, signal } = context;
  const written: string[] = [];
  const put = async (key: string, bytes: Uint8Array) => {
    await store.put(key, bytes, { signal });
    written.push(key);
    return store.uri(key);
  };
  let ours: { manifest: ManifestFile; attemptKeys: number } | undefined;
  const snapshotId = newSnapshotId();
  try {
    for (let attempt = 1; attempt <= context.maxAttempts; attempt++) {
      signal?.throwIfAborted();
      const current = await loadCurrentTable(context);
      if (current === undefined) {
        throw new IcebergError("ICEBERG_TABLE_NOT_FOUND", `no table ${tableName(context)}`);
      }
      const { metadata, metadataLocation } = current;
      checkStillApplies(context, change, metadata, attempt);
      const tableKey = requireStoreKey(store, metadata.location);
      const metadataDir = `${tableKey}/metadata`;
      const schema = schemaOf(metadata, change.schemaId);
      const sequenceNumber = metadata.lastSequenceNumber + 1;
      const parent = metadata.snapshots.find((s) => s.snapshotId === metadata.currentSnapshotId);
      const attemptStart = written.length;

      if (ours === undefined && change.add.length > 0) {
        // Added entries inherit their sequence number from the manifest list, so this
        // manifest stays valid whichever sequence number the commit ends up with.
        const entries: ManifestEntryToWrite[] = change.add.map((dataFile) => ({
          status: ADDED,
          snapshotId,
          sequenceNumber: undefined,
          fileSequenceNumber: undefined,
          dataFile,
        }));
        const bytes = writeManifest(schema, specOf(metadata, change.specId), entries);
        const path = await put(`${metadataDir}/${randomUUID()}-m0.avro`, bytes);
        ours = {
          manifest: {
            ...manifestCounts(entries, snapshotId),
            manifestPath: path,
            manifestLength: BigInt(bytes.byteLength),
            partitionSpecId: change.specId,
            content: 0,
            sequenceNumber: 0n,
            minSequenceNumber: 0n,
            partitions: null,
            keyMetadata: null,
          },
          attemptKeys: written.length,
        };
      }
      const manifests: ManifestFile[] = [];
      if (ours !== undefined) {
        const seq = BigInt(sequenceNumber);
        manifests.push({ ...ours.manifest, sequenceNumber: seq, minSequenceNumber: seq });
      }
      const removed: IcebergDataFile[] = [];
      const base = parent === undefined ? [] : await readSnapshotManifests(store, parent, signal);
      if (change.remove === undefined) {
        manifests.push(...base);
      } else {
        const loaded = await loadManifests(store, base, signal);
        liveOf(loaded, String(parent?.snapshotId));
        for (const { manifest, entries } of loaded) {
          const live = entries.filter((entry) => entry.status !== DELETED);
          const gone = live.filter((entry) => change.remove?.(entry.dataFile));
          if (gone.length === 0) {
            manifests.push(manifest);
            continue;
          }
          removed.push(...gone.map((entry) => entry.dataFile));
          const rewritten: ManifestEntryToWrite[] = live.map((entry) => ({
            status: gone.includes(entry) ? DELETED : EXISTING,
            snapshotId: gone.includes(entry) ? snapshotId : entry.snapshotId,
            sequenceNumber: entry.sequenceNumber,
            fileSequenceNumber: entry.fileSequenceNumber,
            dataFile: entry.dataFile,
          }));
          const bytes = writeManifest(
            schemaOf(metadata, metadata.currentSchemaId),
            specOf(metadata, manifest.partitionSpecId),
            rewritten,
          );
          const path = await put(`${metadataDir}/${randomUUID()}-m1.avro`, bytes);
          const kept = rewritten.filter((entry) => entry.status === EXISTING);
          manifests.push({
            ...manifestCounts(rewritten, snapshotId),
            manifestPath: path,
            manifestLength: BigInt(bytes.byteLength),
            partitionSpecId: manifest.partitionSpecId,
            content: 0,
            sequenceNumber: BigInt(sequenceNumber),
            minSequenceNumber: kept.reduce(
              (min, entry) =>
                (entry.sequenceNumber ?? min) < min ? (entry.sequenceNumber as bigint) : min,
              BigInt(sequenceNumber),
            ),
            partitions: manifest.partitions,
            keyMetadata: null,
          });
        }
      }

      const listBytes = writeManifestList(manifests, {
        snapshotId,
        parentSnapshotId: parent?.snapshotId,
        sequenceNumber,
      });
      const manifestList = await put(
        `${metadataDir}/snap-${snapshotId}-${attempt}-${randomUUID()}.avro`,
        listBytes,
      );
      const next = withSnapshot(metadata, metadataLocation, {
        snapshotId,
        parentSnapshotId: parent?.snapshotId,
        sequenceNumber,
        // Never before the parent: readers order snapshots by time too.
        timestampMs: Math.max(Date.now(), metadata.lastUpdatedMs),
        manifestList,
        summary: snapshotSummary({
          // The spec's operations describe what changed: an overwrite that removed
          // nothing (a first write, an empty table) only added files.
          operation:
            change.operation === "overwrite" && removed.length === 0 ? "append" : change.operation,
          added: change.add,
          removed,
          manifests,
          provenance: change.provenance,
        }),
        schemaId: change.schemaId,
      });
      const nextLocation = await put(
        `${metadataDir}/${nextMetadataFileName(metadataLocation)}`,
        new TextEncoder().encode(stringifyLosslessJson(next)),
      );
      if (await context.catalog.commitTable(context.identifier, metadataLocation, nextLocation)) {
        // Files of the attempts that lost are referenced by nothing.
        const stale = written.slice(ours?.attemptKeys ?? 0, attemptStart);
        written.length = 0;
        await Promise.all(stale.map((key) => store.delete(key).catch(() => undefined)));
        return { snapshotId, sequenceNumber, metadataLocation: nextLocation, attempts: attempt };
      }
    }
    throw new IcebergCommitConflictError(
      `${tableName(context)}: other writers committed first ${context.maxAttempts} times in a row`,
      { attempts: context.maxAttempts },
    );
  } catch (error) {
    // An unknown outcome may have made these files live: leave them.
    if (!(error instanceof IcebergCommitStateUnknownError)) {
      await Promise.all(written.map((key) => store.delete(key).catch(() => undefined)));
    }
    throw error;
  }
}

/** A new snapshot id: random, positive, 63 bits (what Java and PyIceberg generate). */
export function newSnapshotId(): bigint {
  for (;;) {
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64BE());
    if (id !== 0n) return id;
  }
}

function checkStillApplies(
  context: IcebergCommitContext,
  change: IcebergChange,
  metadata: IcebergTableMetadata,
  attempt: number,
): void {
  const conflict = (reason: string) =>
    new IcebergCommitConflictError(`${tableName(context)}: ${reason}`, { attempts: attempt - 1 });
  if (change.expectedSnapshotId !== undefined) {
    const expected = change.expectedSnapshotId ?? undefined;
    if (metadata.currentSnapshotId !== expected) {
      throw conflict(
        `the ${change.operation} was prepared on snapshot ${expected ?? "(none)"}, but snapshot ${metadata.currentSnapshotId ?? "(none)"} is current now`,
      );
    }
  }
  if (metadata.currentSchemaId !== change.schemaId || metadata.defaultSpecId !== change.specId) {
    throw conflict(
      `the schema or partition spec changed (schema ${change.schemaId} → ${metadata.currentSchemaId}, spec ${change.specId} → ${metadata.defaultSpecId}) since the files were written`,
    );
  }
}

function manifestCounts(entries: readonly ManifestEntryToWrite[], snapshotId: bigint) {
  const count = (status: number) => entries.filter((entry) => entry.status === status);
  const rows = (status: number) =>
    count(status).reduce((total, entry) => total + BigInt(entry.dataFile.recordCount), 0n);
  return {
    addedSnapshotId: snapshotId,
    addedFilesCount: count(ADDED).length,
    existingFilesCount: count(EXISTING).length,
    deletedFilesCount: count(DELETED).length,
    addedRowsCount: rows(ADDED),
    existingRowsCount: rows(EXISTING),
    deletedRowsCount: rows(DELETED),
  };
}

function tableName(context: Pick<IcebergCommitContext, "identifier">): string {
  return [...context.identifier.namespace, context.identifier.name].join(".");
}
