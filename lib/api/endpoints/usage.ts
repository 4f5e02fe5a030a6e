import { eq } from "drizzle-orm";
import { z } from "zod";
import { dataProducts } from "@/db/schema";
import { AppError } from "@/lib/errors";
import { getProductUsage, getSubscriptionUsage, SERIES_DAYS, type CostFigures, type DailyPoint } from "@/lib/metering/queries";
import { defineEndpoint } from "../endpoint";

/**
 * Usage read through the UI's own functions (lib/metering/queries.ts): the same visibility
 * (subscribing team, owning team, finance, admin; anyone else gets a 404 like a missing id) and
 * the same figures, cost to date and forecast included.
 */
const Totals = z.object({ messages: z.number(), bytes: z.number() });
const Day = z.object({ day: z.string(), messages: z.number(), bytes: z.number() });
const Cost = z.object({ currency: z.string(), costToDateMinor: z.number(), forecastMinor: z.number(), forecast: Totals });
const Lag = z.object({ records: z.number(), at: z.string() }).nullable();

const DaysQuery = z.object({
  days: z.coerce
    .number({ error: "Use a number of days." })
    .int("Whole days only.")
    .min(1, "At least 1 day.")
    .max(SERIES_DAYS, `At most ${SERIES_DAYS} days.`)
    .default(SERIES_DAYS),
});

const iso = (d: Date) => d.toISOString().slice(0, 10);
const lastDays = (daily: DailyPoint[], days: number) => daily.slice(-days).map((d) => ({ day: iso(d.day), messages: d.messages, bytes: d.bytes }));
const sum = (days: { messages: number; bytes: number }[]) => ({ messages: days.reduce((n, d) => n + d.messages, 0), bytes: days.reduce((n, d) => n + d.bytes, 0) });
const cost = (c: CostFigures) => ({ currency: c.currency, costToDateMinor: c.costToDateMinor, forecastMinor: c.forecastMinor, forecast: c.forecast });
const lag = (l: { records: number; at: Date } | null) => (l ? { records: l.records, at: l.at.toISOString() } : null);

export const subscriptionUsageEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/subscriptions/{id}/usage",
    operationId: "getSubscriptionUsage",
    summary: "Read a subscription's usage, cost to date and forecast",
    description:
      "This month's metered messages and bytes, cost to date and end-of-month forecast (minor units), the last `days` days (UTC, zeros included) and the latest consumer lag. Visible to the subscribing team, the product's owners, finance and admins.",
    tag: "Usage",
    scope: "usage:read",
    params: z.object({ id: z.uuid("Not an id") }),
    query: DaysQuery,
    response: z.object({
      subscriptionId: z.string(),
      planName: z.string(),
      priceModel: z.string(),
      monthStart: z.string(),
      monthEnd: z.string(),
      month: Totals,
      cost: Cost,
      days: z.array(Day),
      totals: Totals.describe("Sum over `days`."),
      lag: Lag,
    }),
  },
  async ({ db, user, params, query, deps }) => {
    const u = await getSubscriptionUsage(db, user, params.id, deps.now?.() ?? new Date());
    const days = lastDays(u.daily, query.days);
    return {
      subscriptionId: u.subscriptionId,
      planName: u.planName,
      priceModel: u.priceModel,
      monthStart: u.monthStart.toISOString(),
      monthEnd: u.monthEnd.toISOString(),
      month: u.month,
      cost: cost(u.cost),
      days,
      totals: sum(days),
      lag: lag(u.lag),
    };
  },
);

export const productUsageEndpoint = defineEndpoint(
  {
    method: "GET",
    path: "/products/{slug}/usage",
    operationId: "getProductUsage",
    summary: "Read a product's usage across its subscriptions",
    description: "For the product's owners, finance and admins: this month's totals, cost per currency, the last `days` days and each subscription's figures.",
    tag: "Usage",
    scope: "usage:read",
    params: z.object({ slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, "Not a product slug") }),
    query: DaysQuery,
    response: z.object({
      productSlug: z.string(),
      monthStart: z.string(),
      monthEnd: z.string(),
      month: Totals,
      costByCurrency: z.array(z.object({ currency: z.string(), costToDateMinor: z.number(), forecastMinor: z.number() })),
      days: z.array(Day),
      subscriptions: z.array(z.object({ subscriptionId: z.string(), team: z.string(), plan: z.string(), state: z.string(), month: Totals, cost: Cost, lag: Lag })),
    }),
  },
  async ({ db, user, params, query, deps }) => {
    const [product] = await db.select({ id: dataProducts.id }).from(dataProducts).where(eq(dataProducts.slug, params.slug));
    if (!product) throw new AppError("not_found", "This product does not exist.");
    const u = await getProductUsage(db, user, product.id, deps.now?.() ?? new Date());
    return {
      productSlug: params.slug,
      monthStart: u.monthStart.toISOString(),
      monthEnd: u.monthEnd.toISOString(),
      month: u.month,
      costByCurrency: u.costByCurrency,
      days: lastDays(u.daily, query.days),
      subscriptions: u.subscriptions.map((s) => ({ subscriptionId: s.subscriptionId, team: s.teamName, plan: s.planName, state: s.state, month: s.month, cost: cost(s.cost), lag: lag(s.lag) })),
    };
  },
);
