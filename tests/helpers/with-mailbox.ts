import { afterAll, beforeAll } from "vitest";
import { setMailTransport } from "@/lib/email";
import { startMailServer, type MailServer } from "./mailbox";

/** For an integration test file: the app's mail goes to a real SMTP server of the file's own while it runs. */
export function withMailbox(): MailServer {
  let server: MailServer | undefined;
  beforeAll(async () => {
    server = await startMailServer();
    setMailTransport(server.url);
  });
  afterAll(async () => {
    setMailTransport({ reset: true });
    await server?.stop();
  });
  const live = () => {
    if (!server) throw new Error("the mailbox starts in beforeAll");
    return server;
  };
  return {
    get port() { return live().port; },
    get url() { return live().url; },
    get dir() { return live().dir; },
    all: (match) => live().all(match),
    waitFor: (match, opts) => live().waitFor(match, opts),
    stop: () => live().stop(),
  };
}
