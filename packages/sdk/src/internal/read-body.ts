/**
 * Reads a response body as text, giving up when `signal` aborts even if the fetch
 * implementation keeps the body stream open (some do once the headers are in): the
 * attempt's timeout then covers the body too. Rejects with the signal's reason.
 */
export async function readBody(response: Response, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      response.body?.cancel(signal.reason).catch(() => {});
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([response.text(), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}
