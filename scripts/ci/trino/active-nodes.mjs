// Exits 0 when a query on the Trino server at argv[2] sees at least one active node,
// 1 otherwise. start.sh polls it: /v1/info reports "starting":false before the
// coordinator has registered as a node, and queries in that window fail.
const base = process.argv[2];
const headers = { "X-Trino-User": "controlroom" };
let reply = await fetch(`${base}/v1/statement`, {
  method: "POST",
  headers,
  body: "select count(*) from system.runtime.nodes where state = 'active'",
}).then((r) => r.json());
let active = 0;
while (true) {
  if (reply.error) process.exit(1);
  if (reply.data?.length) active = Number(reply.data[0][0]);
  if (!reply.nextUri) break;
  reply = await fetch(reply.nextUri, { headers }).then((r) => r.json());
}
process.exit(active >= 1 ? 0 : 1);
