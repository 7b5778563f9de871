// The SDK alone, against CONTROLROOM_URL with CONTROLROOM_TOKEN: exits 0 when the run succeeded.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControlRoomClient, localArtifactStorage } from "@controlroom/sdk";

const client = new ControlRoomClient(); // reads CONTROLROOM_URL and CONTROLROOM_TOKEN
const storage = localArtifactStorage(mkdtempSync(join(tmpdir(), "quickstart-")));
const run = await client.runs.create({
  spec_slug: "sdk-quickstart",
  git_sha: "0".repeat(40),
  environment: "dev",
  phases: [
    { name: "extract", kind: "ingest" },
    { name: "report", kind: "publish" },
  ],
  input_manifest: {},
});
const claim = () =>
  client.claims.claimRun(run.run_id, { executor_id: "quickstart", capabilities: [] });

for (let lease = await claim(); lease; lease = await claim()) {
  const { run_id, phase, lease_token } = lease;
  await client.leases.heartbeat(run_id, { lease_token });
  await client.events.append(run_id, [{ type: "LOG", phase, message: `ran ${phase}` }]);
  const link = { run_id, phase, name: `${phase}.txt` };
  const data = `${phase} done\n`;
  const artifact = await client.artifacts.put({ data, mediaType: "text/plain", storage, link });
  const output_manifest = { [link.name]: artifact.sha256 };
  await client.leases.complete(run_id, { lease_token, status: "succeeded", output_manifest });
}
for await (const event of client.events.iterate(run.run_id, { follow: true })) {
  console.log(event.seq, event.type, event.phase ?? "");
}
const finished = await client.runs.get(run.run_id);
console.log(`run ${run.run_id} ${finished.status}`);
process.exit(finished.status === "succeeded" ? 0 : 1);
