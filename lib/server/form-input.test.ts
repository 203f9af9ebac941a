import { describe, expect, it } from "vitest";
import { fieldWithNul } from "./form-input";

describe("fieldWithNul", () => {
  it("names the first field holding a NUL, whatever the field", () => {
    const form = new FormData();
    form.append("name", "Ada");
    form.append("workspace", "Acme\u0000Corp");
    form.append("slug", "\u0000");
    expect(fieldWithNul(form)).toBe("workspace");
  });

  it("is null for ordinary text, including other control characters and files", () => {
    const form = new FormData();
    form.append("name", "Ada\tLovelace\n😀");
    form.append("file", new Blob(["\u0000"]), "a.bin");
    expect(fieldWithNul(form)).toBeNull();
  });
});
