/**
 * Whether an error from a batch endpoint (`POST /ops/claims/batch`, `POST
 * /ops/completions`) means the server does not have that endpoint: a control plane
 * older than the batch endpoints answers an unknown route with 404 `not_found`, and a
 * proxy in front of one may answer 404 or 405. Neither endpoint answers 404 for
 * anything else (an unknown run in a batch of completions is a `rejected` result, not
 * a 404), so the status alone decides. Duck-typed like `clientErrorKind`.
 */
export function isUnknownRoute(error: unknown): boolean {
  const status =
    typeof error === "object" && error !== null
      ? (error as { status?: unknown }).status
      : undefined;
  return status === 404 || status === 405;
}
