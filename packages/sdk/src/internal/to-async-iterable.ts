/**
 * Reads a web `ReadableStream` as an async iterable (Node 20's streams are async
 * iterable, but the DOM typings and other runtimes do not promise it). Stopping early
 * cancels the stream, so its source is released.
 */
export function toAsyncIterable(
  data: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
): AsyncIterable<Uint8Array> {
  if (Symbol.asyncIterator in data) return data as AsyncIterable<Uint8Array>;
  const stream = data as ReadableStream<Uint8Array>;
  return {
    async *[Symbol.asyncIterator]() {
      const reader = stream.getReader();
      let done = false;
      try {
        while (true) {
          const next = await reader.read();
          if (next.done) {
            done = true;
            return;
          }
          yield next.value;
        }
      } finally {
        if (!done) await reader.cancel().catch(() => {});
        reader.releaseLock();
      }
    },
  };
}
