import type { AttemptAbort } from "./attempt-abort.js";

/** One HTTP request as the transport sends it: every attempt builds its own. */
export interface ExchangeRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** JSON text, or undefined for no body. */
  body: string | undefined;
  /** Aborts the request and the reading of its body (the attempt's timeout included). */
  abort: AttemptAbort;
}

/** The little of a response the transport reads. */
export interface ExchangeResponse {
  status: number;
  /** A header's value, or null; names are case-insensitive. */
  header(name: string): string | null;
  /** The whole body as text; rejects with the abort's reason when it aborts first. */
  text(): Promise<string>;
  /** Frees the connection when the body is not wanted. */
  discard(): void;
}

/**
 * Sends one request and resolves once the response's headers are in. Rejects with the
 * abort's reason when it aborts, otherwise with the network error.
 */
export type HttpExchange = (request: ExchangeRequest) => Promise<ExchangeResponse>;
