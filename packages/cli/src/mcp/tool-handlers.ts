import { ENVIRONMENTS, TOOL_SPECS, type ToolName } from "@controlroom/contract";
import { type ControlRoomClient, requestRebuild, requestRollback } from "@controlroom/sdk";
import type { z } from "zod";
import { ToolInputError } from "./tool-input-error.js";

/** A tool's arguments once its zod schema has parsed them (defaults filled in). */
export type ToolInput<N extends ToolName> = z.output<
  Extract<(typeof TOOL_SPECS)[number], { name: N }>["input"]
>;

/**
 * Calls the control plane for one tool through the SDK. Resolves with the response
 * body, or `null` when the endpoint answered "nothing" (a claim's 204).
 */
export type ToolHandler<N extends ToolName> = (
  client: ControlRoomClient,
  input: ToolInput<N>,
  signal: AbortSignal,
) => Promise<unknown>;

/**
 * One SDK call per entry of the contract's `TOOL_SPECS`: the tool's arguments, split
 * into path parameters and body as the endpoint takes them.
 *
 * @example
 * ```ts
 * const run = await TOOL_HANDLERS.get_run(client, { run_id }, AbortSignal.timeout(10_000));
 * ```
 */
export const TOOL_HANDLERS: { readonly [N in ToolName]: ToolHandler<N> } = {
  create_run: (client, { idempotency_key, ...body }, signal) =>
    client.runs.create(body, { idempotencyKey: idempotency_key, signal }),
  claim: (client, { run_id, environments, wait_ms, ...body }, signal) => {
    if (run_id === undefined) {
      return client.claims.claim(
        {
          ...body,
          environments: environments ?? [...ENVIRONMENTS],
          ...(wait_ms === undefined ? {} : { wait_ms }),
        },
        { signal },
      );
    }
    // A claim of one run neither waits nor filters: say so instead of ignoring them.
    const misplaced = [
      ...(environments === undefined ? [] : ["environments"]),
      ...(wait_ms === undefined ? [] : ["wait_ms"]),
    ];
    if (misplaced.length > 0) {
      throw new ToolInputError(
        misplaced.map((path) => ({
          path,
          message: "only for a claim across runs: leave it out when run_id is given",
        })),
      );
    }
    return client.claims.claimRun(run_id, body, { signal });
  },
  heartbeat: (client, { run_id, ...body }, signal) =>
    client.leases.heartbeat(run_id, body, { signal }),
  append_events: (client, { run_id, events }, signal) =>
    client.events.append(run_id, events, { signal }),
  register_artifact: (client, body, signal) => client.artifacts.register(body, { signal }),
  complete_phase: (client, { run_id, ...body }, signal) =>
    client.leases.complete(run_id, body, { signal }),
  get_run: (client, { run_id }, signal) => client.runs.get(run_id, { signal }),
  list_runs: (client, query, signal) => client.runs.list(query, { signal }),
  list_events: (client, { run_id, ...query }, signal) =>
    client.events.list(run_id, query, { signal }),
  cancel_run: (client, { run_id, ...body }, signal) => client.runs.cancel(run_id, body, { signal }),
  request_rollback: (client, input, signal) => requestRollback(client, input, { signal }),
  request_rebuild: (client, input, signal) => requestRebuild(client, input, { signal }),
};

/** The contract's spec of a tool by name, or undefined for a name it does not have. */
export function toolSpec(name: string): (typeof TOOL_SPECS)[number] | undefined {
  return TOOL_SPECS.find((spec) => spec.name === name);
}
