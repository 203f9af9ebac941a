import { expect, test, type ConsoleMessage } from "@playwright/test";

/**
 * Fails a spec's tests when the browser reports a Content-Security-Policy violation on any of its pages:
 * the policy must never block a script, style, image, font or request the pages need. Chromium logs each
 * blocked load as a console error ("Refused to ... because it violates the following Content Security
 * Policy directive"). Call once at the top of a spec file.
 */
export function failOnCspViolations() {
  let violations: string[] = [];
  test.beforeEach(({ page }) => {
    violations = [];
    page.on("console", (msg: ConsoleMessage) => {
      if (msg.type() === "error" && /content security policy/i.test(msg.text())) violations.push(`${page.url()}: ${msg.text()}`);
    });
  });
  test.afterEach(() => {
    expect(violations, "Content-Security-Policy violations in the browser console").toEqual([]);
  });
}
