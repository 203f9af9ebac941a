import type { Emulator } from "../emulator";
import { invalidRequest } from "../errors";
import { render } from "../expand";
import { newId } from "../ids";
import { paginate } from "../list";
import type { Router } from "../router";
import type { TestClock } from "../types";
import { runDue } from "../engine/lifecycle";
import { mustGet } from "./util";

/**
 * Advances a clock to `frozenTime`, running everything due for its customers in time order
 * (see engine/lifecycle.ts). Asynchronous, as on Stripe: the request answers the clock `advancing`, the work
 * runs after the answer, and the clock is `ready` (test_helpers.test_clock.ready) once it is done, so callers
 * poll the clock (or wait for the event); `idle()` also waits for it. A clock that is advancing refuses another
 * advance.
 */
export function advanceClock(em: Emulator, clock: TestClock, frozenTime: number): TestClock {
  if (clock.status === "advancing") throw invalidRequest(`The test clock ${clock.id} is advancing; wait until its status is ready before advancing it again.`, "frozen_time");
  if (frozenTime <= clock.frozen_time) throw invalidRequest("The frozen_time must be after the current frozen_time of the test clock.", "frozen_time");
  clock.status = "advancing";
  clock.status_details = { advancing: { target_frozen_time: frozenTime } };
  em.emit("test_helpers.test_clock.advancing", clock);
  const run: Promise<void> = new Promise((resolve) => {
    setTimeout(() => {
      try {
        runDue(em, clock.id, frozenTime, (t) => {
          clock.frozen_time = Math.max(clock.frozen_time, t);
        });
        clock.frozen_time = frozenTime;
        clock.status = "ready";
        clock.status_details = {};
        em.emit("test_helpers.test_clock.ready", clock);
      } catch (err) {
        clock.status = "internal_failure";
        em.emit("test_helpers.test_clock.internal_failure", clock);
        em.config.log(`stripe emulator: advancing ${clock.id} failed: ${err instanceof Error ? err.stack : String(err)}`);
      } finally {
        em.flushLater();
        em.advances.delete(run);
        resolve();
      }
    }, em.config.clockAdvanceMs);
  });
  em.advances.add(run);
  return clock;
}

export function createTestClock(em: Emulator, frozenTime: number, name: string | null): TestClock {
  const clock: TestClock = {
    id: newId("clock"),
    object: "test_helpers.test_clock",
    created: em.realNow(),
    deletes_after: em.realNow() + 30 * 86_400,
    frozen_time: frozenTime,
    livemode: false,
    name,
    status: "ready",
    status_details: {},
  };
  em.store.put(em.store.testClocks, clock);
  em.emit("test_helpers.test_clock.created", clock);
  return clock;
}

/**
 * Not something Stripe can do (a customer's test_clock is fixed at creation): puts a customer that lives on the
 * wall clock onto a new test clock frozen at the current time, so a test can advance time for a customer that
 * the code under test created itself. Every object of the customer follows the clock from then on (the engine
 * reads the clock through the customer); the stored `test_clock` fields are updated to say so.
 */
export function putCustomerOnClock(em: Emulator, customerId: string, name: string | null): TestClock {
  const customer = mustGet(em.store.customers, customerId, "customer");
  if (customer.deleted) throw invalidRequest(`The customer ${customerId} has been deleted.`, "customer");
  if (customer.test_clock) throw invalidRequest(`The customer ${customerId} is already on the test clock ${customer.test_clock}.`, "customer");
  const clock = createTestClock(em, em.realNow(), name);
  customer.test_clock = clock.id;
  for (const map of [em.store.subscriptions, em.store.invoices, em.store.schedules]) {
    for (const obj of map.values()) if (obj.customer === customerId) obj.test_clock = clock.id;
  }
  return clock;
}

export function registerTestClocks(router: Router): void {
  router
    .post("/v1/test_helpers/test_clocks", ({ em, p }) => render(createTestClock(em, p.reqInt("frozen_time"), p.str("name") ?? null)))
    .get("/v1/test_helpers/test_clocks/:id", ({ em, params }) => render(mustGet(em.store.testClocks, params.id!, "test_clock")))
    .get("/v1/test_helpers/test_clocks", ({ em, p }) => render(paginate(em.store, [...em.store.testClocks.values()], p, "/v1/test_helpers/test_clocks")))
    .post("/v1/test_helpers/test_clocks/:id/advance", ({ em, params, p }) => {
      const clock = mustGet(em.store.testClocks, params.id!, "test_clock");
      return render(advanceClock(em, clock, p.reqInt("frozen_time")));
    })
    .delete("/v1/test_helpers/test_clocks/:id", ({ em, params }) => {
      const clock = mustGet(em.store.testClocks, params.id!, "test_clock");
      for (const customer of em.store.customers.values()) if (customer.test_clock === clock.id) customer.deleted = true;
      for (const sub of em.store.subscriptions.values()) if (sub.test_clock === clock.id) sub.status = "canceled";
      em.store.testClocks.delete(clock.id);
      em.emit("test_helpers.test_clock.deleted", clock);
      return { id: clock.id, object: "test_helpers.test_clock", deleted: true };
    });
}
