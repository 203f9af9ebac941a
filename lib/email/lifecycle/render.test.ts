import { describe, expect, it } from "vitest";
import { LIFECYCLE_KINDS } from "./kinds";
import { renderLifecycleEmail } from "./render";
import { lifecycleSamples } from "./samples";

// Where each email's main action leads: a page of the workspace under APP_URL, or Stripe's hosted invoice.
const action: Record<(typeof LIFECYCLE_KINDS)[number], string> = {
  threshold: "http://app.test/w/acme/usage",
  payment_failed: "http://app.test/w/acme/billing",
  payment_action_required: lifecycleSamples.payment_action_required.hostedUrl,
  degraded: "http://app.test/w/acme/billing",
  moved_to_free: "http://app.test/w/acme/plans",
  trial_will_end: "http://app.test/w/acme/plans",
  trial_ended: "http://app.test/w/acme/plans",
  pack_receipt: "http://app.test/w/acme/invoices",
  auto_top_up_succeeded: "http://app.test/w/acme/extras",
  auto_top_up_failed: "http://app.test/w/acme/extras",
};

describe("lifecycle email templates", () => {
  it.each(LIFECYCLE_KINDS)("%s: an HTML and a text part in the shared layout, naming the workspace, with its action in both", async (kind) => {
    const m = await renderLifecycleEmail(kind, lifecycleSamples[kind] as never, { to: "owner@example.com", workspaceName: "Acme", slug: "acme", appUrl: "http://app.test" });
    expect(m.subject).toMatch(/Acme|usage reached/);
    expect(m.html).toContain("Sent by Tally.");
    expect(m.html).toContain(`href="${action[kind]}"`);
    expect(m.text).toContain(action[kind]);
    expect(m.text).toContain("Acme");
    expect(m.text).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it("money without .00 on whole amounts", async () => {
    const m = await renderLifecycleEmail("pack_receipt", lifecycleSamples.pack_receipt, { to: "o@example.com", workspaceName: "Acme", slug: "acme", appUrl: "http://app.test" });
    expect(m.text).toContain("Paid: $19");
    expect(m.text).not.toContain("$19.00");
  });
});
