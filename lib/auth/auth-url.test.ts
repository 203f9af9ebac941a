import { describe, expect, it } from "vitest";
import { authUrl } from "./auth-url";

describe("authUrl", () => {
  it("is APP_URL's origin, with a loopback address spelled localhost as Next spells it", () => {
    expect(authUrl("https://billing.example.com")).toBe("https://billing.example.com");
    expect(authUrl("http://127.0.0.1:3300")).toBe("http://localhost:3300");
    expect(authUrl("http://[::1]:3000/")).toBe("http://localhost:3000");
  });
});
