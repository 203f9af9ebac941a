import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { deliverNotifications } from "@/lib/billing";
import { deliverEmail, noticeEmail, sendEmail, setMailTransport } from "@/lib/email";
import { linkIn, startMailServer } from "../../helpers/mailbox";
import { withMailbox } from "../../helpers/with-mailbox";
import { newOwner, uniqueEmail } from "../../helpers/factories";

const mail = withMailbox();

describe("email", () => {
  it("goes out through SMTP with an HTML and a plain-text part, from EMAIL_FROM, with its links", async () => {
    const to = uniqueEmail("notice");
    const ok = await sendEmail(await noticeEmail({ to, subject: "Hello", body: "First line.\n\nSecond line.", action: { label: "Open", url: "http://localhost:3000/w/acme/billing?x=1&y=2" } }));
    expect(ok).toBe(true);
    const got = await mail.waitFor({ to });
    expect(got.subject).toBe("Hello");
    expect(got.from).toContain("billing@tally.local");
    expect(got.text).toContain("First line.");
    expect(got.text).toContain("http://localhost:3000/w/acme/billing?x=1&y=2");
    expect(got.html).toContain("<p");
    expect(linkIn(got, "/w/acme/billing")).toBe("http://localhost:3000/w/acme/billing?x=1&y=2");
  });

  it("a mail server that is not there: sendEmail logs and answers false, deliverEmail throws", async () => {
    const dead = await startMailServer();
    await dead.stop();
    setMailTransport(dead.url);
    try {
      const message = await noticeEmail({ to: uniqueEmail("nobody"), subject: "Lost", body: "Never arrives." });
      await expect(sendEmail(message)).resolves.toBe(false);
      await expect(deliverEmail(message)).rejects.toThrow();
    } finally {
      setMailTransport(mail.url);
    }
  });

  it("billing notifications go out through the same sender: a pending threshold notice arrives and is marked sent", async () => {
    const { user, workspace } = await newOwner("notified");
    const n = await db().notification.create({
      data: { workspaceId: workspace.id, kind: "threshold", subject: "compute: 80% used", body: "You have used 80% of compute.\n\nIt resets on Monday.", dedupeKey: `test:${crypto.randomUUID()}` },
    });
    expect(await deliverNotifications(db(), [n.id])).toEqual({ sent: 1, failed: 0 });
    const got = await mail.waitFor({ to: user.email, subject: "compute: 80% used" });
    expect(got.text).toContain("It resets on Monday.");
    expect((await db().notification.findUniqueOrThrow({ where: { id: n.id } })).status).toBe("sent");
  });
});
