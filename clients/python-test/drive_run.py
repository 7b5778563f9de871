"""Drives one run to completion through the generated Python client.

Creates a run of one phase, claims it, heartbeats, appends an event, completes it and
reads the run back. Prints one JSON line per step; exits 0 when the run ended
succeeded, 1 otherwise. The control plane comes from CONTROLROOM_URL and the token
from CONTROLROOM_TOKEN. The generated package `controlroom_client` must be importable
(PYTHONPATH=clients/python after `pnpm generate:clients`, or `pip install clients/python`).
"""

import datetime
import json
import os
import sys
import uuid

from controlroom_client import AuthenticatedClient
from controlroom_client.api.events import append_events
from controlroom_client.api.leases import claim_run, complete_phase, heartbeat
from controlroom_client.api.runs import create_run, get_run
from controlroom_client.models import (
    AppendEventsRequestInput,
    AppendEventsResponse,
    ClaimRunRequest,
    CompleteRequest,
    CreateRunRequestInput,
    HeartbeatRequest,
    HeartbeatResponse,
    Lease,
    Problem,
    Run,
    RunStatus,
)


def step(name, **fields):
    print(json.dumps({"step": name, **fields}), flush=True)


def expect(value, kind, what):
    """Stops with the problem document when the server answered with an error."""
    if isinstance(value, kind):
        return value
    detail = value.to_dict() if isinstance(value, Problem) else repr(value)
    step("error", call=what, problem=detail)
    sys.exit(1)


def main():
    client = AuthenticatedClient(
        base_url=os.environ["CONTROLROOM_URL"],
        token=os.environ["CONTROLROOM_TOKEN"],
        raise_on_unexpected_status=True,
    )
    with client:
        body = CreateRunRequestInput.from_dict(
            {
                "spec_slug": "python-client",
                "git_sha": "3f786850e387550fdab836ed7e6dc881de23001b",
                "environment": "dev",
                "phases": [{"name": "extract", "kind": "ingest"}],
                "input_manifest": {"source": "python"},
                "labels": {"client": "openapi-python-client"},
            }
        )
        run = expect(
            create_run.sync(client=client, body=body, idempotency_key=str(uuid.uuid4())),
            Run,
            "create_run",
        )
        step("created", run_id=str(run.run_id), status=str(run.status))

        lease = expect(
            claim_run.sync(
                run.run_id,
                client=client,
                body=ClaimRunRequest(
                    executor_id="python-worker", capabilities=[], request_id=str(uuid.uuid4())
                ),
            ),
            Lease,
            "claim_run",
        )
        step("claimed", phase=lease.phase, attempt=lease.attempt)

        beat = expect(
            heartbeat.sync(
                run.run_id,
                client=client,
                body=HeartbeatRequest.from_dict(
                    {"lease_token": lease.lease_token, "progress": {"fraction": 0.5}}
                ),
            ),
            HeartbeatResponse,
            "heartbeat",
        )
        step("heartbeat", cancel_requested=beat.cancel_requested)

        now = datetime.datetime.now(datetime.timezone.utc).isoformat().replace("+00:00", "Z")
        appended = expect(
            append_events.sync(
                run.run_id,
                client=client,
                body=AppendEventsRequestInput.from_dict(
                    {
                        "events": [
                            {
                                "event_id": str(uuid.uuid4()),
                                "phase": lease.phase,
                                "type": "PHASE_PROGRESS",
                                "ts": now,
                                "message": "read 3 rows",
                                "payload": {"rows": 3},
                            }
                        ]
                    }
                ),
            ),
            AppendEventsResponse,
            "append_events",
        )
        step("events", accepted=appended.accepted)

        done = expect(
            complete_phase.sync(
                run.run_id,
                client=client,
                body=CompleteRequest.from_dict(
                    {
                        "lease_token": lease.lease_token,
                        "status": "succeeded",
                        "output": {"rows": 3},
                    }
                ),
            ),
            Run,
            "complete_phase",
        )
        step("completed", status=str(done.status))

        final = expect(get_run.sync(run.run_id, client=client), Run, "get_run")
        phases = {phase.name: str(phase.status) for phase in final.phases}
        step("run", run_id=str(final.run_id), status=str(final.status), phases=phases)
        return 0 if final.status == RunStatus.SUCCEEDED else 1


if __name__ == "__main__":
    sys.exit(main())
