import { CHAOS_DAG, type ChaosPhaseName } from "../src/chaos-executor.js";
import type { ChaosSnapshot, EventRow } from "./chaos-snapshot.js";
import type { Findings } from "./findings.js";

const TERMINAL_RUN_EVENTS = new Set(["RUN_SUCCEEDED", "RUN_FAILED", "RUN_CANCELLED"]);
const attemptOf = (event: EventRow) => Number(event.payload.attempt);

/**
 * Every run's trail is complete and gap-free: seq runs 1…n, `RUN_CREATED` comes first
 * and `RUN_SUCCEEDED` is the last event the server wrote; and, per phase, the server's
 * events tell a story with never two live leases: `PHASE_CLAIMED` (attempt k) is
 * followed by that attempt's own `PHASE_STARTED` / `LEASE_EXPIRED` and by exactly one
 * ending (`PHASE_RETRY_SCHEDULED` or `PHASE_SUCCEEDED`) before attempt k + 1 is
 * claimed. A phase is claimed only after every phase it depends on succeeded.
 *
 * Executor events may legitimately arrive after `RUN_SUCCEEDED` (a worker that lost
 * its lease flushing what it had buffered); they are counted, not flagged.
 */
export function checkTrails(snapshot: ChaosSnapshot, findings: Findings): void {
  for (const run of snapshot.runs) {
    const events = snapshot.events.get(run.run_id) ?? [];
    const where = `run ${run.run_id}`;
    findings.count("events", events.length);
    events.forEach((event, index) => {
      findings.expect(
        event.seq === index + 1,
        () => `${where}: event #${index + 1} has seq ${event.seq} (gap or duplicate)`,
      );
    });
    findings.expect(
      events[0]?.type === "RUN_CREATED",
      () => `${where}: first event is ${events[0]?.type}, not RUN_CREATED`,
    );
    const serverEvents = events.filter((e) => e.source === "server");
    const terminal = serverEvents.filter((e) => TERMINAL_RUN_EVENTS.has(e.type));
    findings.expect(
      terminal.length === 1 && terminal[0]?.type === "RUN_SUCCEEDED",
      () => `${where}: terminal run events ${JSON.stringify(terminal.map((e) => e.type))}`,
    );
    findings.expect(
      serverEvents.at(-1)?.type === "RUN_SUCCEEDED",
      () => `${where}: the last server event is ${serverEvents.at(-1)?.type}, not RUN_SUCCEEDED`,
    );
    const ended = terminal[0]?.seq ?? Number.POSITIVE_INFINITY;
    findings.count("late executor events", events.filter((e) => e.seq > ended).length);
    findings.expect(
      serverEvents.filter((e) => e.type === "RUN_STARTED").length === 1,
      () => `${where}: RUN_STARTED is not there exactly once`,
    );

    const succeededAt = new Map<string, number>();
    for (const name of Object.keys(CHAOS_DAG) as ChaosPhaseName[]) {
      checkPhaseTrail(
        `${where} phase ${name}`,
        serverEvents.filter((e) => e.phase === name),
        findings,
      );
      const succeeded = serverEvents.find((e) => e.phase === name && e.type === "PHASE_SUCCEEDED");
      if (succeeded) succeededAt.set(name, succeeded.seq);
      findings.expect(
        succeeded !== undefined && succeeded.seq < ended,
        () => `${where} phase ${name}: no PHASE_SUCCEEDED before the run ended`,
      );
    }
    // Dependencies: the first claim of a phase comes after its upstream succeeded.
    for (const [name, upstream] of Object.entries(CHAOS_DAG)) {
      const firstClaim = serverEvents.find((e) => e.phase === name && e.type === "PHASE_CLAIMED");
      for (const parent of upstream) {
        findings.expect(
          firstClaim === undefined || firstClaim.seq > (succeededAt.get(parent) ?? Infinity),
          () => `${where}: phase ${name} was claimed before its upstream ${parent} succeeded`,
        );
      }
    }
  }
}

function checkPhaseTrail(where: string, events: EventRow[], findings: Findings): void {
  let live: number | undefined;
  let claims = 0;
  let successes = 0;
  let registrations = 0;
  const sameAttempt = (event: EventRow) =>
    findings.expect(
      live !== undefined && attemptOf(event) === live,
      () =>
        `${where}: ${event.type} (seq ${event.seq}) of attempt ${attemptOf(event)} while the live attempt is ${live ?? "none"}`,
    );
  for (const event of events) {
    switch (event.type) {
      case "PHASE_CLAIMED":
        findings.expect(
          live === undefined,
          () =>
            `${where}: attempt ${attemptOf(event)} claimed (seq ${event.seq}) while attempt ${live} still held a lease`,
        );
        findings.expect(
          attemptOf(event) === claims + 1,
          () => `${where}: claim #${claims + 1} is attempt ${attemptOf(event)}`,
        );
        claims++;
        live = attemptOf(event);
        break;
      case "PHASE_STARTED":
        sameAttempt(event);
        break;
      case "LEASE_EXPIRED":
        sameAttempt(event);
        findings.count("LEASE_EXPIRED events");
        break;
      case "PHASE_RETRY_SCHEDULED":
        sameAttempt(event);
        findings.count("retries");
        live = undefined;
        break;
      case "PHASE_SUCCEEDED":
        sameAttempt(event);
        successes++;
        live = undefined;
        break;
      case "ARTIFACT_REGISTERED":
        // Registration is not fenced: a worker that lost its lease may register too.
        registrations++;
        break;
      default:
        findings.violation(`${where}: unexpected ${event.type} (seq ${event.seq})`);
    }
  }
  findings.expect(live === undefined, () => `${where}: attempt ${live} never ended`);
  findings.expect(successes === 1, () => `${where}: ${successes} PHASE_SUCCEEDED events`);
  findings.expect(
    registrations === 1,
    () => `${where}: its artifact link was registered ${registrations} times`,
  );
}
