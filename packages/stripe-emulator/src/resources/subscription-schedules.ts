import { invalidRequest } from "../errors";
import { render } from "../expand";
import { filterCreated, paginate } from "../list";
import type { Router } from "../router";
import { releaseSchedule, scheduleFromSubscription, updatePhases } from "../engine/schedules";
import { cancelNow } from "../engine/subscriptions";
import { mustGet } from "./util";

/**
 * Subscription schedules, the part used for changes at period end: create `from_subscription`,
 * update `phases` (and end_behavior), release, cancel. Phases change at period boundaries.
 */
export function registerSubscriptionSchedules(router: Router): void {
  router
    .post("/v1/subscription_schedules", ({ em, p }) => {
      const from = p.str("from_subscription");
      if (!from) throw invalidRequest("Only `from_subscription` schedules are available on this server.", "from_subscription");
      if (p.has("phases")) throw invalidRequest("You cannot set `phases` if `from_subscription` is set.", "phases");
      const sub = mustGet(em.store.subscriptions, from, "from_subscription");
      return render(scheduleFromSubscription(em, sub, em.now(sub.customer)));
    })
    .get("/v1/subscription_schedules/:id", ({ em, params }) => render(mustGet(em.store.schedules, params.id!, "schedule")))
    .post("/v1/subscription_schedules/:id", ({ em, params, p }) => {
      const schedule = mustGet(em.store.schedules, params.id!, "schedule");
      if (schedule.status !== "active" && schedule.status !== "not_started")
        throw invalidRequest(`You cannot update a subscription schedule that is currently in the \`${schedule.status}\` status. It must be in one of the following statuses: \`not_started\`, \`active\`.`, undefined, "subscription_schedule_invalid_state");
      updatePhases(em, schedule, p);
      const endBehavior = p.oneOf("end_behavior", ["release", "cancel"] as const);
      if (endBehavior) schedule.end_behavior = endBehavior;
      const md = p.metadata();
      if (md) schedule.metadata = { ...schedule.metadata, ...md };
      return render(schedule);
    })
    .post("/v1/subscription_schedules/:id/release", ({ em, params }) => {
      const schedule = mustGet(em.store.schedules, params.id!, "schedule");
      const sub = schedule.subscription ? em.store.subscriptions.get(schedule.subscription) : undefined;
      releaseSchedule(em, schedule, sub, em.now(schedule.customer));
      return render(schedule);
    })
    .post("/v1/subscription_schedules/:id/cancel", ({ em, params }) => {
      const schedule = mustGet(em.store.schedules, params.id!, "schedule");
      if (schedule.status !== "active" && schedule.status !== "not_started")
        throw invalidRequest(`You cannot cancel a subscription schedule that is currently in the \`${schedule.status}\` status.`, undefined, "subscription_schedule_invalid_state");
      const at = em.now(schedule.customer);
      const sub = schedule.subscription ? em.store.subscriptions.get(schedule.subscription) : undefined;
      if (sub) cancelNow(em, sub, at);
      if (schedule.status === "active") {
        schedule.status = "canceled";
        schedule.canceled_at = at;
        em.emit("subscription_schedule.canceled", schedule);
      }
      return render(schedule);
    })
    .get("/v1/subscription_schedules", ({ em, p }) => {
      const customer = p.str("customer");
      let items = [...em.store.schedules.values()];
      if (customer) items = items.filter((s) => s.customer === customer);
      return render(paginate(em.store, filterCreated(items, p), p, "/v1/subscription_schedules"));
    });
}
