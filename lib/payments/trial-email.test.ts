import { describe, expect, it } from "vitest";
import { trialEmailKey } from "./trial-email";

describe("trialEmailKey", () => {
  it("folds the spellings that reach one inbox", () => {
    expect(trialEmailKey(" Ada@Example.com ")).toBe("ada@example.com");
    expect(trialEmailKey("ada+trial2@example.com")).toBe("ada@example.com");
    expect(trialEmailKey("a.d.a+x@googlemail.com")).toBe("ada@gmail.com");
    expect(trialEmailKey("A.Da@Gmail.com")).toBe("ada@gmail.com");
  });

  it("keeps what can be another person", () => {
    expect(trialEmailKey("a.da@example.com")).toBe("a.da@example.com");
    expect(trialEmailKey("ada@example.org")).not.toBe(trialEmailKey("ada@example.com"));
    expect(trialEmailKey("+only@example.com")).toBe("+only@example.com");
  });
});
