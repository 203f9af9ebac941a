import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { errorReply } from "./respond";

afterEach(() => vi.restoreAllMocks());

describe("errorReply", () => {
  it.each([
    ["a deadlock from pg", Object.assign(new Error("deadlock detected"), { code: "40P01" })],
    ["a serialization failure from pg", Object.assign(new Error("could not serialize access"), { code: "40001" })],
    ["a write conflict from Prisma", Object.assign(new Error("Transaction failed due to a write conflict or a deadlock"), { code: "P2034" })],
    ["a deadlock wrapped by another layer", new Error("recording failed", { cause: Object.assign(new Error("deadlock detected"), { code: "40P01" }) })],
  ])("answers %s as 503 billing_unavailable with Retry-After, not 500", (_, e) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const reply = errorReply(e);
    expect([reply.status, reply.headers["retry-after"], JSON.parse(reply.body).error.code]).toEqual([503, "1", "billing_unavailable"]);
    expect(log.mock.calls[0]?.[0]).toBe("[api] conflict not retried:");
  });

  it("answers an error of our own as 500 internal_error, and an AppError with its status", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(errorReply(new Error("a bug")).status).toBe(500);
    expect(JSON.parse(errorReply(new Error("a bug")).body).error.code).toBe("internal_error");
    expect(errorReply(new AppError("quota_exhausted", "No quota left.")).status).toBe(402);
  });
});
