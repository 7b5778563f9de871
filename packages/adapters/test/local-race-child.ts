// A child process of local-object-store.test.ts: waits for the start time it is given
// (so that every racer calls putIfAbsent at once), then races for one key and prints
// "won" or "lost".
import { createLocalObjectStore } from "../src/local/local-object-store.js";

const [root, key, id, startAt] = process.argv.slice(2) as [string, string, string, string];
const store = createLocalObjectStore({ root });
const wait = Number(startAt) - Date.now();
if (wait > 0) await new Promise((done) => setTimeout(done, wait));
const result = await store.putIfAbsent(key, new TextEncoder().encode(`writer ${id}\n`));
process.stdout.write(result === undefined ? "lost" : "won");
