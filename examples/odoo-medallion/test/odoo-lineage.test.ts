import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  datasetNameFromUri,
  type OpenLineageRunEvent,
  phaseRunId,
} from "@controlroom/executor-kit";
import { MEDALLION_PHASES } from "@controlroom/executor-kit/medallion";
import {
  assertValidOpenLineageEvent,
  OPENLINEAGE_SPEC_VERSION,
} from "@controlroom/test-openlineage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OdooDemoResult, runOdooDemo } from "../src/demo/run-odoo-demo.js";
import { ODOO_TABLES } from "../src/odoo/odoo-tables.js";

// The demo with OpenLineage on, to a JSON Lines file: every event it emits must be a
// valid OpenLineage event (the official schema, vendored), and the lineage must say
// which table versions each phase read and wrote.
const dirs: string[] = [];
let result: OdooDemoResult;
let events: OpenLineageRunEvent[];

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "controlroom-lineage-test-"));
  dirs.push(dataDir);
  const path = join(dataDir, "lineage", "events.jsonl");
  result = await runOdooDemo({
    dataDir,
    rows: 500,
    seed: 3,
    gitSha: "1ea9e".padEnd(40, "0"),
    lineage: { transport: { type: "file", path } },
  });
  const text = await readFile(path, "utf8");
  events = text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as OpenLineageRunEvent);
}, 300_000);

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The last event of a phase's attempt 1 (its COMPLETE, in a run that succeeded). */
function phaseEnd(phase: string): OpenLineageRunEvent {
  const runId = phaseRunId(result.run_id, phase, 1);
  const event = events.filter((e) => e.run.runId === runId).at(-1);
  if (!event) throw new Error(`no events for phase ${phase}`);
  return event;
}

function versions(datasets: { name: string; facets?: Record<string, unknown> | undefined }[]) {
  return Object.fromEntries(
    datasets.map((d) => [
      d.name,
      (d.facets?.version as { datasetVersion?: string } | undefined)?.datasetVersion,
    ]),
  );
}

describe(`the demo's OpenLineage events (spec ${OPENLINEAGE_SPEC_VERSION})`, () => {
  it("succeeds, and every event validates against the official schema", () => {
    expect(result.status).toBe("succeeded");
    expect(events.length).toBeGreaterThanOrEqual(2 + 2 * MEDALLION_PHASES.length);
    for (const event of events) assertValidOpenLineageEvent(event);
  });

  it("has the run's START first and COMPLETE last, and START then COMPLETE per phase", () => {
    expect(events[0]).toMatchObject({
      eventType: "START",
      run: { runId: result.run_id },
      job: { namespace: "controlroom", name: "odoo-finance" },
    });
    expect(events.at(-1)).toMatchObject({
      eventType: "COMPLETE",
      run: { runId: result.run_id },
      job: { name: "odoo-finance" },
    });
    for (const phase of MEDALLION_PHASES) {
      const runId = phaseRunId(result.run_id, phase, 1);
      const own = events.filter((e) => e.run.runId === runId);
      const types = own.map((e) => e.eventType);
      expect(types[0], phase).toBe("START");
      expect(types.at(-1), phase).toBe("COMPLETE");
      expect(
        types.slice(1, -1).every((t) => t === "RUNNING"),
        phase,
      ).toBe(true);
      for (const event of own) {
        expect(event.job).toMatchObject({
          namespace: "controlroom",
          name: `odoo-finance.${phase}`,
        });
        expect(event.run.facets?.parent).toMatchObject({
          run: { runId: result.run_id },
          job: { namespace: "controlroom", name: "odoo-finance" },
        });
      }
    }
    // Phases run one after another: each phase's COMPLETE comes before the next START.
    const index = (phase: string, type: string) =>
      events.findIndex(
        (e) => e.run.runId === phaseRunId(result.run_id, phase, 1) && e.eventType === type,
      );
    for (const [i, phase] of MEDALLION_PHASES.slice(1).entries()) {
      expect(index(MEDALLION_PHASES[i] as string, "COMPLETE")).toBeLessThan(index(phase, "START"));
    }
  });

  it("names the gold tables as outputs of gold and inputs of publish, with their versions", () => {
    expect(result.gold.length).toBe(4);
    const expected = Object.fromEntries(
      result.gold.map((table) => [datasetNameFromUri(table.uri).name, String(table.version)]),
    );
    const gold = phaseEnd("gold");
    expect(gold.outputs.every((o) => o.namespace === "file")).toBe(true);
    expect(versions(gold.outputs)).toEqual(expected);
    for (const output of gold.outputs) {
      const table = result.gold.find((t) => datasetNameFromUri(t.uri).name === output.name);
      expect(output.outputFacets?.outputStatistics).toMatchObject({ rowCount: table?.rows });
      expect(output.facets?.schema?.fields).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: expect.any(String), type: expect.any(String) }),
        ]),
      );
      expect(output.facets?.storage).toMatchObject({
        storageLayer: "delta",
        fileFormat: "parquet",
      });
    }
    const publish = phaseEnd("publish");
    expect(versions(publish.inputs)).toEqual(expected);
    expect(publish.outputs).toEqual([]);
  });

  it("chains the layers: source → bronze → silver → gold, each version read as it was written", () => {
    const ingest = phaseEnd("ingest");
    expect(ingest.inputs.map((i) => `${i.namespace}/${i.name}`).sort()).toEqual(
      ODOO_TABLES.map((table) => `postgres/${table}`).sort(),
    );
    const columns = (dataset: { facets?: Record<string, unknown> | undefined }) =>
      ((dataset.facets?.schema as { fields?: unknown[] } | undefined)?.fields ?? []).length;
    expect(ingest.inputs.every((input) => columns(input) > 0)).toBe(true);
    const bronze = versions(ingest.outputs);
    expect(Object.keys(bronze).length).toBeGreaterThan(0);
    expect(Object.keys(bronze).every((name) => name.includes("/lake/bronze/"))).toBe(true);

    // validate and silver read the bronze versions ingest wrote (a fresh lake: all of them).
    expect(versions(phaseEnd("validate").inputs)).toEqual(bronze);
    const silver = phaseEnd("silver");
    expect(versions(silver.inputs)).toEqual(bronze);
    const silverTables = versions(silver.outputs);
    expect(Object.keys(silverTables).every((name) => name.includes("/lake/silver/"))).toBe(true);
    expect(versions(phaseEnd("gold").inputs)).toEqual(silverTables);
  });
});
