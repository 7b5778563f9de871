import type { JsonObject, PhaseError } from "@controlroom/contract";
import type { z } from "zod";
import type { ExecutorDefinition } from "../definition/define-executor.js";
import { ExecutorKitError, isExecutorKitError } from "../errors/executor-kit-error.js";
import type { AttemptInfo } from "./attempt-info.js";
import { AttemptLineage } from "./attempt-lineage.js";
import { createPhaseContext, type PhaseContextServices } from "./create-phase-context.js";
import { toPhaseError } from "./to-phase-error.js";

/** How an attempt ended, as the worker will report it. */
export type AttemptOutcome =
  | {
      status: "succeeded";
      output: JsonObject;
      output_manifest: JsonObject;
    }
  | {
      status: "failed";
      error: PhaseError;
      /** What the phase threw (or the kit's own error), for logs and tests. */
      cause: unknown;
      output_manifest: JsonObject;
    }
  | {
      /** Lease lost or run cancelled: the attempt is no longer ours to complete. */
      status: "abandoned";
      reason: ExecutorKitError;
      output_manifest: JsonObject;
    };

/** What one attempt runs with. */
export interface AttemptRequest {
  executor: ExecutorDefinition;
  info: AttemptInfo;
  /** The attempt's time limit; `undefined` for none. */
  timeoutMs: number | undefined;
  /**
   * Aborted by the worker when the lease is lost, the run is cancelled or it shuts
   * down; its reason is an ExecutorKitError saying which.
   */
  signal: AbortSignal;
  services: PhaseContextServices;
}

/**
 * Runs one attempt of one phase: finds it, parses its params, runs it with a context
 * under a timeout and the worker's signal, checks its output and classifies the
 * result. It never throws: every ending is an {@link AttemptOutcome}. The worker and
 * the test harness share it, so a test sees what the server would. With an OpenLineage
 * emitter in `services`, it also emits the attempt's START and its COMPLETE, FAIL or
 * ABORT (see {@link AttemptLineage}).
 */
export async function executeAttempt(request: AttemptRequest): Promise<AttemptOutcome> {
  const { services } = request;
  const lineage = services.lineage
    ? new AttemptLineage({
        emitter: services.lineage,
        info: request.info,
        executor: request.executor,
        redactor: services.redactor,
        logger: services.logger,
      })
    : undefined;
  lineage?.start();
  const outcome = await runAttempt(request, lineage);
  lineage?.end(outcome);
  return outcome;
}

async function runAttempt(
  request: AttemptRequest,
  lineage: AttemptLineage | undefined,
): Promise<AttemptOutcome> {
  const { executor, info, services } = request;
  const fail = (error: unknown, output_manifest: JsonObject = {}): AttemptOutcome => ({
    status: "failed",
    error: toPhaseError(error, services.redactor),
    cause: error,
    output_manifest,
  });

  const definition = Object.hasOwn(executor.phases, info.phase)
    ? executor.phases[info.phase]
    : undefined;
  if (!definition) {
    const known = Object.keys(executor.phases).join(", ");
    return fail(
      new ExecutorKitError(
        "unknown_phase",
        `executor "${executor.id}" has no phase "${info.phase}" (it knows: ${known}); route phases to executors with \`requires\` and capabilities`,
      ),
    );
  }

  let params: JsonObject = info.params;
  if (definition.input) {
    const parsed = definition.input.safeParse(info.params);
    if (!parsed.success) {
      return fail(
        new ExecutorKitError(
          "invalid_params",
          `invalid params for phase "${info.phase}": ${formatIssues(parsed.error)}`,
        ),
      );
    }
    params = parsed.data;
  }

  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(request.signal.reason);
  if (request.signal.aborted) onOuterAbort();
  else request.signal.addEventListener("abort", onOuterAbort, { once: true });
  const timer =
    request.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () =>
            controller.abort(
              new ExecutorKitError(
                "timeout",
                `phase "${info.phase}" timed out after ${request.timeoutMs} ms`,
              ),
            ),
          request.timeoutMs,
        );

  const built = createPhaseContext(info, params, controller.signal, services, lineage);

  try {
    // The race lets the worker report a timeout or shutdown even when the phase
    // ignores its signal; the phase's promise is then left to settle on its own.
    const returned = await Promise.race([
      Promise.resolve().then(() => definition.run(built.context)),
      rejectOnAbort(controller.signal),
    ]);
    const manifest = built.manifest.toJSON();
    if (controller.signal.aborted) return ended(controller.signal.reason, manifest, fail);
    return checkOutput(returned, definition.output, info.phase, manifest, fail, services);
  } catch (error) {
    const manifest = built.manifest.toJSON();
    // An abort wins over whatever the phase threw in reaction to it (an AbortError).
    if (controller.signal.aborted) return ended(controller.signal.reason, manifest, fail);
    return fail(error, manifest);
  } finally {
    if (timer) clearTimeout(timer);
    request.signal.removeEventListener("abort", onOuterAbort);
    built.progress.flush();
    built.progress.dispose();
  }
}

function ended(
  reason: unknown,
  output_manifest: JsonObject,
  fail: (error: unknown, manifest: JsonObject) => AttemptOutcome,
): AttemptOutcome {
  if (isExecutorKitError(reason) && (reason.code === "lease_lost" || reason.code === "cancelled")) {
    return { status: "abandoned", reason, output_manifest };
  }
  return fail(reason, output_manifest);
}

function checkOutput(
  returned: unknown,
  schema: z.ZodType<JsonObject> | undefined,
  phaseName: string,
  manifest: JsonObject,
  fail: (error: unknown, manifest: JsonObject) => AttemptOutcome,
  services: PhaseContextServices,
): AttemptOutcome {
  let output: unknown = returned ?? {};
  if (schema) {
    const parsed = schema.safeParse(returned);
    if (!parsed.success) {
      return fail(
        new ExecutorKitError(
          "invalid_output",
          `output of phase "${phaseName}" does not match its schema: ${formatIssues(parsed.error)}`,
        ),
        manifest,
      );
    }
    output = parsed.data;
  }
  if (typeof output !== "object" || output === null || Array.isArray(output)) {
    return fail(
      new ExecutorKitError(
        "invalid_output",
        `output of phase "${phaseName}" must be a JSON object, got ${Array.isArray(output) ? "an array" : typeof output}`,
      ),
      manifest,
    );
  }
  let json: JsonObject;
  try {
    json = JSON.parse(JSON.stringify(output)) as JsonObject;
  } catch (error) {
    return fail(
      new ExecutorKitError(
        "invalid_output",
        `output of phase "${phaseName}" is not JSON: ${(error as Error).message}`,
      ),
      manifest,
    );
  }
  return { status: "succeeded", output: services.redactor.redact(json), output_manifest: manifest };
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 10)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
