import { describe, expect, it } from "vitest";
import { isSameOriginMutation, isSameSiteRead } from "./origin";

const h = (o: Record<string, string>) => new Headers({ host: "app.example.com", ...o });

describe("origin checks", () => {
  it("accepts a mutation only from this site's own origin", () => {
    expect(isSameOriginMutation(h({ origin: "https://app.example.com" }))).toBe(true);
    expect(isSameOriginMutation(h({}))).toBe(false);
    expect(isSameOriginMutation(h({ origin: "null" }))).toBe(false);
    expect(isSameOriginMutation(h({ origin: "https://evil.example" }))).toBe(false);
    expect(isSameOriginMutation(h({ origin: "not a url" }))).toBe(false);
    expect(isSameOriginMutation(h({ origin: "https://tally.example", "x-forwarded-host": "tally.example" }))).toBe(true);
  });

  it("lets a download link through but not another site's script", () => {
    expect(isSameSiteRead(h({}))).toBe(true);
    expect(isSameSiteRead(h({ "sec-fetch-site": "same-origin" }))).toBe(true);
    expect(isSameSiteRead(h({ "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isSameSiteRead(h({ origin: "null" }))).toBe(false);
    expect(isSameSiteRead(h({ origin: "https://evil.example" }))).toBe(false);
  });
});
