// The embedded PostgreSQL's server process (started by startEmbeddedPostgres in pglite.ts): a PGlite database
// served over the wire protocol by @electric-sql/pglite-socket, with a query queue of its own.
//
// PGlite is one database session. The library's queue hands it one protocol message at a time, from whichever
// connection sent one, and keeps to one connection only while a transaction is open. But an extended-protocol
// cycle (Parse, Bind, Describe, Execute ... Sync) is not a transaction: when a connection's cycle arrives in two
// reads (a large parameter, say), another connection's Parse can land between its Parse and its Bind, which then
// binds the other's statement: an error, or another query's rows (electric-sql/pglite#1046). This queue keeps
// to one connection from the first message of a cycle to its Sync, as well as through a transaction; a
// connection that leaves with either open has it closed for it; and a failing message fails its own
// connection's request, never the queue. COPY ... FROM STDIN is not kept whole (nothing here uses it).
//
// Flags: --db=PATH (default memory://), --port=N, --host=H (default 127.0.0.1), --max-connections=N.
import { parseArgs } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

// Messages that open or continue a cycle the backend only closes at Sync: Parse, Bind, Describe, Execute,
// Close, Flush. A simple Query, a Sync or anything else ends it (a startup packet's first byte is its length's).
const IN_CYCLE = new Set(["P", "B", "D", "E", "C", "H"].map((c) => c.charCodeAt(0)));
const SYNC = Uint8Array.of(0x53, 0, 0, 0, 4);

class CycleQueue {
  /** @param {PGlite} db */
  constructor(db) {
    this.db = db;
    /** @type {{ handlerId: number, message: Uint8Array, onData: (d: Uint8Array) => void, resolve: (n: number) => void, reject: (e: unknown) => void }[]} */
    this.queue = [];
    this.processing = false;
    /** The connection whose cycle or transaction is open: only its messages are taken until it ends. */
    this.owner = null;
    /** Whether the owner's open cycle is an extended-protocol one (closed with a Sync if it goes away). */
    this.inCycle = false;
    /** The connection whose message runs now, and whether it left meanwhile (then what it opened is closed after). */
    this.running = null;
    this.runningLeft = false;
  }

  enqueue(handlerId, message, onData) {
    return new Promise((resolve, reject) => {
      this.queue.push({ handlerId, message, onData, resolve, reject });
      void this.processQueue();
    });
  }

  async processQueue() {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length) {
        const at = this.owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === this.owner);
        // The owner's next message has not arrived yet: the others wait for it.
        if (at === -1) break;
        const [item] = this.queue.splice(at, 1);
        this.running = item.handlerId;
        this.runningLeft = false;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (d) => {
                bytes += d.length;
                item.onData(d);
              },
            }),
          );
          item.resolve(bytes);
        } catch (e) {
          item.reject(e);
        }
        this.running = null;
        this.inCycle = IN_CYCLE.has(item.message[0]);
        this.owner = this.inCycle || this.db.isInTransaction() ? item.handlerId : null;
        if (this.runningLeft) await this.closeOwner();
      }
    } finally {
      this.processing = false;
    }
  }

  getQueueLength() {
    return this.queue.length;
  }

  /** A connection went away: its waiting messages are dropped. */
  clearQueueForHandler(handlerId) {
    this.queue = this.queue.filter((m) => {
      if (m.handlerId !== handlerId) return true;
      m.reject(new Error("Handler disconnected"));
      return false;
    });
  }

  /** ...and what it left open is closed, so the others go on (after its message in flight, if one is). */
  async clearTransactionIfNeeded(handlerId) {
    if (this.running === handlerId) this.runningLeft = true;
    else if (this.owner === handlerId) {
      await this.closeOwner();
      await this.processQueue();
    }
  }

  /** Ends the owner's open cycle with a Sync of our own (its answer dropped) and rolls back its transaction. */
  async closeOwner() {
    try {
      // Nothing else runs meanwhile: the queue waits for the owner. (exec takes PGlite's lock itself.)
      if (this.inCycle) await this.db.runExclusive(() => this.db.execProtocolRawStream(SYNC, { onRawData: () => {} }));
      if (this.db.isInTransaction()) await this.db.exec("ROLLBACK");
    } catch (e) {
      console.error("pglite-server: closing what a connection left open failed:", e);
    } finally {
      this.owner = null;
      this.inCycle = false;
    }
  }
}

const { values } = parseArgs({
  options: { db: { type: "string", default: "memory://" }, port: { type: "string", default: "5432" }, host: { type: "string", default: "127.0.0.1" }, "max-connections": { type: "string", default: "20" } },
});
const db = new PGlite(values.db);
await db.waitReady;
const server = new PGLiteSocketServer({ db, port: Number(values.port), host: values.host, maxConnections: Number(values["max-connections"]) });
// Each connection's handler takes the server's queue when it is made, so the swap is done before any connects.
server.queryQueue = new CycleQueue(db);
await server.start();
let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
    await db.close();
  } catch (e) {
    console.error("pglite-server: shutdown:", e);
  }
  process.exit(0);
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
