import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import type { OpenLineageRunEvent } from "./openlineage-event.js";

/**
 * POSTs each event as JSON to `url` (an OpenLineage HTTP endpoint, e.g. Marquez's
 * `http://marquez:5000/api/v1/lineage`). A response other than 2xx is a failed send.
 */
export interface OpenLineageHttpTransport {
  type: "http";
  /** The full endpoint URL events are POSTed to. */
  url: string;
  /**
   * Extra request headers (`authorization: Bearer …`). Never logged.
   * @default {}
   */
  headers?: Readonly<Record<string, string>> | undefined;
  /**
   * How long one POST may take before it counts as failed.
   * @default 5_000
   */
  timeoutMs?: number | undefined;
}

/** Appends each event to `path` as one line of JSON (JSON Lines), creating the file and its directory. */
export interface OpenLineageFileTransport {
  type: "file";
  path: string;
}

/**
 * Sends one event your way (a message queue, a test's array). Throw or reject to count
 * the send as failed; honour `signal`, which aborts when the emitter closes.
 */
export type OpenLineageSend = (
  event: OpenLineageRunEvent,
  options: { signal: AbortSignal },
) => void | Promise<void>;

/** Where an {@link OpenLineageEmitter} sends events. */
export type OpenLineageTransport =
  | OpenLineageHttpTransport
  | OpenLineageFileTransport
  | OpenLineageSend;

/** A transport opened for sending. */
export interface OpenTransport {
  send(event: OpenLineageRunEvent, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Opens a transport: validates its options now, opens files on the first send. */
export function openTransport(transport: OpenLineageTransport): OpenTransport {
  if (typeof transport === "function") {
    return { send: async (event, signal) => transport(event, { signal }), close: async () => {} };
  }
  if (transport.type === "http") return httpTransport(transport);
  if (transport.type === "file") return fileTransport(transport);
  throw new TypeError(
    `OpenLineage transport: unknown type "${String((transport as { type?: unknown }).type)}" (use "http", "file" or a function)`,
  );
}

function httpTransport(options: OpenLineageHttpTransport): OpenTransport {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new TypeError(`OpenLineage http transport: "${options.url}" is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new TypeError("OpenLineage http transport: the URL must be http:// or https://");
  }
  const timeoutMs = Math.max(1, options.timeoutMs ?? 5_000);
  return {
    async send(event, signal) {
      const response = await fetch(url, {
        method: "POST",
        headers: { ...options.headers, "content-type": "application/json" },
        body: JSON.stringify(event),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      // Read the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) {
        throw new Error(
          `the OpenLineage endpoint answered ${response.status} ${response.statusText}`,
        );
      }
    },
    close: async () => {},
  };
}

function fileTransport(options: OpenLineageFileTransport): OpenTransport {
  if (typeof options.path !== "string" || options.path === "") {
    throw new TypeError("OpenLineage file transport: `path` is required");
  }
  let handle: ReturnType<typeof open> | undefined;
  const opened = () => {
    handle ??= mkdir(dirname(options.path), { recursive: true }).then(() =>
      open(options.path, "a"),
    );
    // A failed open is retried on the next event rather than cached.
    handle.catch(() => {
      handle = undefined;
    });
    return handle;
  };
  return {
    async send(event) {
      const file = await opened();
      // One write per line: the emitter sends one event at a time, so lines never interleave.
      await file.write(`${JSON.stringify(event)}\n`);
    },
    async close() {
      const pending = handle;
      handle = undefined;
      if (pending) await (await pending).close();
    },
  };
}
