// Examples of the OpenAPI document's requests and answers (lib/api/openapi.ts), kept apart so the document stays readable.
import { errorExample } from "./openapi-parts";
const resetsAt = "2026-12-07T00:00:00.000Z";
export const usageRequestExamples = {
  units: { summary: "Units", value: { feature: "compute", units: 2.5, idempotencyKey: "run_7f3a9c", metadata: { run: "r1" } } },
  backdated: { summary: "Backdated (at most 24 hours)", value: { feature: "compute", units: 1, idempotencyKey: "run_7f3a9b", timestamp: "2026-12-06T23:10:00Z" } },
  costs: { summary: "Costs priced by the plan's ratios", value: { feature: "compute", costs: { action: "large", tokens: [{ provider: "openai", model: "gpt-4o", input: 1200, output: 300 }] }, idempotencyKey: "run_7f3a9d" } },
};
const answer = { allowed: true, feature: "compute", units: 2.5, remaining: 97.5, extrasRemaining: 0, resetsAt };
export const answerExamples = { allowed: { value: answer } };
export const batchRequestExamples = {
  two: {
    value: {
      events: [
        { feature: "compute", units: 1, idempotencyKey: "evt_1" },
        { feature: "api_calls", units: 3, idempotencyKey: "evt_2" },
      ],
    },
  },
};
export const batchResponseExamples = {
  mixed: {
    value: {
      results: [
        { index: 0, idempotencyKey: "evt_1", status: 200, answer: { ...answer, units: 1, remaining: 99 } },
        { index: 1, idempotencyKey: "evt_2", status: 402, error: errorExample("quota_exhausted").error },
      ],
      accepted: 1,
      refused: 1,
      failed: 0,
    },
  },
};
export const limitationsExamples = {
  starter: {
    value: {
      workspaceId: "cmf0workspace",
      plan: { key: "starter", version: 1, name: "Starter" },
      status: "active",
      trialEndsAt: null,
      currentPeriodEnd: "2027-01-01T00:00:00.000Z",
      entitlements: [{ feature: "compute", kind: "meter", period: "week", overflow: "extras", limit: 1000, used: 250, remaining: 750, resetsAt }],
      extras: { balance: 500, usable: 500, expiringSoon: [] },
    },
  },
};

export const workspaceExamples = {
  acme: {
    value: {
      id: "cmf0workspace", externalId: "org_8812", name: "Acme", slug: "acme", plan: { key: "free", version: 1, name: "Free" },
      status: "free", trialEndsAt: null, createdAt: "2026-12-03T09:00:00.000Z",
    },
  },
};
export const gaugeAnswerExamples = { claimed: { value: { allowed: true, feature: "seats", units: 1, remaining: 2, extrasRemaining: 0, resetsAt: null } } };
export const eventsPageExamples = {
  page: {
    value: {
      data: [{ id: "cmf0event", feature: "compute", units: 2.5, quotaUnits: 2.5, extrasUnits: 0, idempotencyKey: "run_7f3a9c", metadata: { run: "r1" }, timestamp: "2026-12-03T08:59:58.000Z", createdAt: "2026-12-03T09:00:00.000Z" }],
      nextCursor: null,
    },
  },
};
