import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postJsonWith } from "./post";

// A receiver on this machine: what a hostile endpoint URL would aim at (the metadata service, an admin port).
let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => req.resume().on("end", () => res.end("reached")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("postJsonWith", () => {
  it("to public addresses only: refuses a private address, as a literal or behind a name, before anything is sent", async () => {
    const post = postJsonWith({ publicOnly: true });
    for (const url of [`http://127.0.0.1:${port}/hook`, `http://localhost:${port}/hook`, `http://[::ffff:127.0.0.1]:${port}/hook`, "http://169.254.169.254/latest/meta-data"]) {
      await expect(post(url, "{}", { "content-type": "application/json" }, 2_000), url).rejects.toThrow(/not a public address/);
    }
  });

  it("without the guard, the same receiver is reached (as in development and tests)", async () => {
    const r = await postJsonWith({ publicOnly: false })(`http://localhost:${port}/hook`, "{}", { "content-type": "application/json" }, 2_000);
    expect([r.status, r.text]).toEqual([200, "reached"]);
  });
});
