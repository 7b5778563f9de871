import { z } from "zod";
import { JsonObjectSchema, TimestampSchema, UuidSchema, utf8ByteLength } from "./common.js";
import { named } from "./registry.js";

/** The most events one append may carry. */
export const MAX_EVENTS_PER_APPEND = 1_000;
/** The most bytes one event's payload may take, as JSON in UTF-8. */
export const MAX_EVENT_PAYLOAD_BYTES = 256 * 1024;

/** The event types the contract names; executors may add their own in the same style. */
export const EVENT_TYPES = [
  "RUN_CREATED",
  "PHASE_CLAIMED",
  "PHASE_STARTED",
  "PHASE_PROGRESS",
  "PHASE_FAILED",
  "PHASE_SUCCEEDED",
  "PHASE_RETRY_SCHEDULED",
  "PHASE_SKIPPED",
  "PHASE_CANCELLED",
  "LEASE_EXPIRED",
  "RUN_STARTED",
  "RUN_SUCCEEDED",
  "RUN_FAILED",
  "RUN_CANCELLED",
  "ARTIFACT_REGISTERED",
  "LOG",
] as const;
export type KnownEventType = (typeof EVENT_TYPES)[number];

export const EventTypeSchema = named(
  "EventType",
  "An event type: one of the contract's, or an executor's own in UPPER_SNAKE_CASE.",
  z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, "event types are UPPER_SNAKE_CASE, at most 64 characters"),
);

export const EVENT_LEVELS = ["debug", "info", "warn", "error"] as const;
export const EventLevelSchema = named(
  "EventLevel",
  "How much an event matters.",
  z.enum(EVENT_LEVELS),
);
export type EventLevel = z.infer<typeof EventLevelSchema>;

const PayloadSchema = JsonObjectSchema.superRefine((payload, ctx) => {
  const bytes = utf8ByteLength(JSON.stringify(payload));
  if (bytes > MAX_EVENT_PAYLOAD_BYTES) {
    ctx.addIssue({
      code: "custom",
      message: `payload is ${bytes} bytes; at most ${MAX_EVENT_PAYLOAD_BYTES} are allowed`,
    });
  }
});

export const EventInputSchema = named(
  "NewEvent",
  "An event as an executor sends it.",
  z.object({
    event_id: UuidSchema.describe("Client-chosen; the de-duplication key."),
    phase: z
      .string()
      .max(64)
      .nullable()
      .optional()
      .describe("Null or absent for run-level events."),
    type: EventTypeSchema,
    ts: TimestampSchema,
    level: EventLevelSchema.default("info"),
    message: z.string().max(16_384).default(""),
    payload: PayloadSchema.default({}),
  }),
);
export type EventInput = z.input<typeof EventInputSchema>;

export const EventSchema = named(
  "Event",
  "An event as stored: append-only, ordered in its run by `seq`.",
  z.object({
    event_id: UuidSchema,
    run_id: UuidSchema,
    seq: z.number().int().min(1),
    phase: z.string().nullable(),
    type: EventTypeSchema,
    ts: TimestampSchema,
    level: EventLevelSchema,
    message: z.string(),
    payload: JsonObjectSchema,
  }),
);
export type Event = z.output<typeof EventSchema>;

export const AppendEventsRequestSchema = named(
  "AppendEventsRequest",
  "The body of POST /ops/runs/{run_id}/events.",
  z.object({ events: z.array(EventInputSchema).min(1).max(MAX_EVENTS_PER_APPEND) }),
);
export type AppendEventsRequest = z.input<typeof AppendEventsRequestSchema>;

export const AppendEventsResponseSchema = named(
  "AppendEventsResponse",
  "How many events were stored, and how many were repeats of stored ones.",
  z.object({ accepted: z.number().int().min(0), duplicates: z.number().int().min(0) }),
);
export type AppendEventsResponse = z.output<typeof AppendEventsResponseSchema>;

export const ListEventsQuerySchema = named(
  "ListEventsQuery",
  "Query parameters of GET /ops/runs/{run_id}/events.",
  z.object({
    after_seq: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
    wait_ms: z.coerce.number().int().min(0).max(30_000).optional(),
  }),
);
/** Query of GET /ops/runs/{run_id}/events as a client writes it (every field optional). */
export type ListEventsQuery = Partial<z.output<typeof ListEventsQuerySchema>>;

export const EventListSchema = named(
  "EventList",
  "A page of a run's events in `seq` order.",
  z.object({ items: z.array(EventSchema), next_seq: z.number().int().min(0) }),
);
export type EventList = z.output<typeof EventListSchema>;
