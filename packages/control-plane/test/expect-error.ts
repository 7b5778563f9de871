import type { ErrorCode } from "@controlroom/contract";
import { expect } from "vitest";
import { isControlPlaneError } from "../src/control-plane-error.js";

/** Asserts that `promise` rejects with a ControlPlaneError of `code`. */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected ${code}`).toBeDefined();
  expect(isControlPlaneError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}
