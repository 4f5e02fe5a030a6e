import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local stand-in for the Stripe API, for tests that run the official SDK against it (through
 * STRIPE_API_BASE / the SDK's host, port and protocol options). It implements only the endpoints
 * Tributary calls and checks each request's shape the way Stripe would: method and path, the
 * form-encoded parameters (required ones present, unknown ones refused with Stripe's 400 error
 * shape), `Authorization: Bearer <key>`, and idempotency keys (a replay with the same key returns
 * the first response; with other parameters it is an idempotency error). Meter events are
 * deduplicated by identifier, as Stripe does. Every request is recorded for assertions.
 *
 * What it cannot tell: whether Stripe's real validation accepts a combination it has not been
 * taught, Stripe's invoicing arithmetic, and event delivery (tests sign payloads themselves).
 */
export type RecordedRequest = {
  method: string;
  path: string;
  params: Record<string, unknown>;
  /** Flattened form keys as sent, e.g. "payload[value]". */
  keys: string[];
  idempotencyKey: string | null;
  authorization: string | null;
  status: number;
};

type Obj = Record<string, unknown> & { id: string };
type Spec = { required: string[]; allowed: string[]; handle: (params: Record<string, unknown>, match: string[]) => [number, unknown] };

export type FakeStripe = {
  url: string;
  secretKey: string;
  requests: RecordedRequest[];
  customers: Map<string, Obj>;
  meters: Map<string, Obj>;
  prices: Map<string, Obj>;
  subscriptions: Map<string, Obj>;
  invoices: Map<string, Obj>;
  /** Accepted meter events (duplicates by identifier are not added). */
  meterEvents: Obj[];
  /** Meter event posts received, accepted or deduplicated. */
  meterEventPosts: number;
  addInvoice(input: { customer: string; status: "draft" | "open" | "paid" | "uncollectible" | "void"; subscription?: string }): Obj;
  setSubscriptionStatus(id: string, status: string): void;
  /**
   * What the Stripe subscription's metered items would invoice, in minor units: per item, the sum
   * of the customer's accepted meter events for the price's meter (Stripe aggregates a meter per
   * customer, across all of the customer's subscriptions) priced per unit, or by graduated tiers,
   * rounded once. A model of Stripe's arithmetic for assertions, not Stripe's invoicing itself.
   */
  meteredAmountMinor(stripeSubscriptionId: string): number;
  /** Forgets idempotency keys, as Stripe does after 24 hours: a re-send then reaches the endpoint. */
  expireIdempotencyKeys(): void;
  /** Requests to one path (method optional), for assertions. */
  calls(method: string, pathPrefix: string): RecordedRequest[];
  close(): Promise<void>;
};

const id = (prefix: string) => `${prefix}_${randomBytes(8).toString("hex")}`;

/** Parses Stripe's form encoding (`a[b][0][c]=x`) into nested objects; arrays stay objects keyed "0", "1"... */
export function parseStripeForm(body: string): { params: Record<string, unknown>; keys: string[] } {
  const params: Record<string, unknown> = {};
  const keys: string[] = [];
  for (const [rawKey, value] of new URLSearchParams(body)) {
    keys.push(rawKey);
    const parts = rawKey.split(/\[|\]\[|\]/).filter((p) => p !== "");
    let node = params as Record<string, unknown>;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = (node[parts[i]!] ??= {}) as Record<string, unknown>;
      node = next;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return { params, keys };
}

/** `metadata[*]` matches any one segment; `tiers[*][up_to]` any index. */
function keyAllowed(key: string, allowed: string[]): boolean {
  const segs = key.split(/\[|\]\[|\]/).filter((p) => p !== "");
  return allowed.some((pattern) => {
    const p = pattern.split(/\[|\]\[|\]/).filter((s) => s !== "");
    return p.length === segs.length && p.every((s, i) => s === "*" || s === segs[i]);
  });
}

const stripeError = (status: number, message: string, extra: Record<string, unknown> = {}): [number, unknown] => [
  status,
  { error: { type: status === 401 ? "invalid_request_error" : extra.type ?? "invalid_request_error", message, ...extra } },
];

export async function startFakeStripe(opts: { secretKey?: string } = {}): Promise<FakeStripe> {
  const secretKey = opts.secretKey ?? `sk_test_fake_${randomBytes(6).toString("hex")}`;
  const requests: RecordedRequest[] = [];
  const customers = new Map<string, Obj>();
  const meters = new Map<string, Obj>();
  const prices = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const meterEvents: Obj[] = [];
  const seenIdentifiers = new Set<string>();
  const idempotency = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const now = () => Math.floor(Date.now() / 1000);
  const state = { meterEventPosts: 0 };

  const retrieve = (map: Map<string, Obj>, kind: string) => (_p: Record<string, unknown>, m: string[]): [number, unknown] => {
    const obj = map.get(m[1]!);
    return obj ? [200, obj] : stripeError(404, `No such ${kind}: '${m[1]}'`, { code: "resource_missing", param: "id" });
  };

  const routes: { method: string; pattern: RegExp; spec: Spec }[] = [
    {
      method: "POST",
      pattern: /^\/v1\/customers$/,
      spec: {
        required: ["name"],
        allowed: ["name", "email", "metadata[*]"],
        handle: (p) => {
          const c: Obj = { id: id("cus"), object: "customer", name: p.name, email: p.email ?? null, metadata: p.metadata ?? {}, created: now(), livemode: false };
          customers.set(c.id, c);
          return [200, c];
        },
      },
    },
    {
      method: "GET",
      pattern: /^\/v1\/billing\/meters$/,
      spec: {
        required: [],
        allowed: ["status", "limit", "starting_after"],
        handle: (p) => {
          const data = [...meters.values()].filter((m) => !p.status || m.status === p.status);
          return [200, { object: "list", data, has_more: false, url: "/v1/billing/meters" }];
        },
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/billing\/meters$/,
      spec: {
        required: ["display_name", "event_name", "default_aggregation[formula]"],
        allowed: ["display_name", "event_name", "default_aggregation[formula]", "customer_mapping[type]", "customer_mapping[event_payload_key]", "value_settings[event_payload_key]"],
        handle: (p) => {
          if ([...meters.values()].some((m) => m.event_name === p.event_name && m.status === "active")) {
            return stripeError(400, `An active meter with event_name ${String(p.event_name)} already exists.`, { param: "event_name" });
          }
          const agg = p.default_aggregation as { formula: string };
          if (!["sum", "count", "last"].includes(agg.formula)) return stripeError(400, "Invalid default_aggregation[formula]", { param: "default_aggregation[formula]" });
          const m: Obj = {
            id: id("mtr"),
            object: "billing.meter",
            created: now(),
            updated: now(),
            display_name: p.display_name,
            event_name: p.event_name,
            event_time_window: null,
            status: "active",
            status_transitions: { deactivated_at: null },
            livemode: false,
            default_aggregation: agg,
            customer_mapping: p.customer_mapping ?? { type: "by_id", event_payload_key: "stripe_customer_id" },
            value_settings: p.value_settings ?? { event_payload_key: "value" },
          };
          meters.set(m.id, m);
          return [200, m];
        },
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/prices$/,
      spec: {
        required: ["currency", "recurring[interval]"],
        allowed: [
          "currency",
          "nickname",
          "unit_amount",
          "unit_amount_decimal",
          "billing_scheme",
          "tiers_mode",
          "tiers[*][up_to]",
          "tiers[*][unit_amount]",
          "tiers[*][unit_amount_decimal]",
          "recurring[interval]",
          "recurring[usage_type]",
          "recurring[meter]",
          "product_data[name]",
          "product_data[metadata][*]",
          "metadata[*]",
        ],
        handle: (p) => {
          const recurring = p.recurring as { interval: string; usage_type?: string; meter?: string };
          if (!/^[a-z]{3}$/.test(String(p.currency))) return stripeError(400, "Invalid currency", { param: "currency" });
          if (recurring.usage_type === "metered") {
            if (!recurring.meter || !meters.has(recurring.meter)) return stripeError(400, "Metered prices need an existing recurring[meter]", { param: "recurring[meter]" });
          }
          const tiered = p.billing_scheme === "tiered";
          if (tiered && (!p.tiers || !p.tiers_mode)) return stripeError(400, "Tiered prices need tiers and tiers_mode", { param: "tiers" });
          if (!tiered && p.unit_amount === undefined && p.unit_amount_decimal === undefined) return stripeError(400, "Missing unit_amount or unit_amount_decimal", { param: "unit_amount" });
          for (const key of ["unit_amount_decimal"]) {
            const v = p[key];
            if (v !== undefined && !/^\d+(\.\d{1,12})?$/.test(String(v))) return stripeError(400, `Invalid ${key}: at most 12 decimal places`, { param: key });
          }
          for (const [i, tier] of Object.entries((p.tiers ?? {}) as Record<string, Record<string, string>>)) {
            if (tier.up_to !== "inf" && !/^\d+$/.test(String(tier.up_to))) return stripeError(400, `Invalid tiers[${i}][up_to]`, { param: `tiers[${i}][up_to]` });
            if (tier.unit_amount_decimal !== undefined && !/^\d+(\.\d{1,12})?$/.test(tier.unit_amount_decimal)) {
              return stripeError(400, `Invalid tiers[${i}][unit_amount_decimal]: at most 12 decimal places`, { param: `tiers[${i}][unit_amount_decimal]` });
            }
          }
          if (!p.product_data) return stripeError(400, "Missing product or product_data", { param: "product_data" });
          const price: Obj = {
            id: id("price"),
            object: "price",
            currency: p.currency,
            unit_amount: p.unit_amount !== undefined ? Number(p.unit_amount) : null,
            unit_amount_decimal: p.unit_amount_decimal ?? null,
            billing_scheme: p.billing_scheme ?? "per_unit",
            tiers_mode: p.tiers_mode ?? null,
            tiers: p.tiers ? Object.values(p.tiers as object) : undefined,
            recurring: { interval: recurring.interval, usage_type: recurring.usage_type ?? "licensed", meter: recurring.meter ?? null },
            product: id("prod"),
            nickname: p.nickname ?? null,
            metadata: p.metadata ?? {},
            livemode: false,
            active: true,
          };
          prices.set(price.id, price);
          return [200, price];
        },
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/subscriptions$/,
      spec: {
        required: ["customer", "items[0][price]"],
        allowed: ["customer", "items[*][price]", "billing_cycle_anchor_config[day_of_month]", "proration_behavior", "metadata[*]"],
        handle: (p) => {
          if (!customers.has(String(p.customer))) return stripeError(400, `No such customer: '${String(p.customer)}'`, { code: "resource_missing", param: "customer" });
          const items = Object.values(p.items as Record<string, { price: string }>);
          for (const item of items) {
            if (!prices.has(item.price)) return stripeError(400, `No such price: '${item.price}'`, { code: "resource_missing", param: "items[0][price]" });
          }
          const s: Obj = {
            id: id("sub"),
            object: "subscription",
            customer: p.customer,
            status: "active",
            metadata: p.metadata ?? {},
            items: { object: "list", data: items.map((i) => ({ id: id("si"), object: "subscription_item", price: prices.get(i.price) })) },
            created: now(),
            livemode: false,
          };
          subscriptions.set(s.id, s);
          return [200, s];
        },
      },
    },
    { method: "GET", pattern: /^\/v1\/subscriptions\/([^/]+)$/, spec: { required: [], allowed: [], handle: retrieve(subscriptions, "subscription") } },
    {
      method: "DELETE",
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      spec: {
        required: [],
        allowed: ["invoice_now", "prorate"],
        handle: (_p, m) => {
          const s = subscriptions.get(m[1]!);
          if (!s) return stripeError(404, `No such subscription: '${m[1]}'`, { code: "resource_missing", param: "id" });
          if (s.status === "canceled") return stripeError(400, "This subscription has already been canceled.");
          s.status = "canceled";
          return [200, s];
        },
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/billing\/meter_events$/,
      spec: {
        required: ["event_name", "payload[stripe_customer_id]", "payload[value]", "identifier"],
        allowed: ["event_name", "payload[stripe_customer_id]", "payload[value]", "identifier", "timestamp"],
        handle: (p) => {
          state.meterEventPosts++;
          const payload = p.payload as { stripe_customer_id: string; value: string };
          if (![...meters.values()].some((m) => m.event_name === p.event_name && m.status === "active")) {
            return stripeError(400, `No active meter was found with event_name ${String(p.event_name)}`, { param: "event_name" });
          }
          if (!customers.has(payload.stripe_customer_id)) return stripeError(400, "No such customer", { param: "payload[stripe_customer_id]" });
          if (!/^\d+$/.test(payload.value)) return stripeError(400, "payload[value] must be a whole number", { param: "payload[value]" });
          const ts = p.timestamp !== undefined ? Number(p.timestamp) : now();
          if (ts < now() - 35 * 86_400 || ts > now() + 300) return stripeError(400, "timestamp must be within the past 35 days or up to 5 minutes in the future", { param: "timestamp" });
          const event: Obj = { id: String(p.identifier), object: "billing.meter_event", event_name: p.event_name, identifier: p.identifier, payload, timestamp: ts, created: now(), livemode: false };
          if (!seenIdentifiers.has(String(p.identifier))) {
            seenIdentifiers.add(String(p.identifier));
            meterEvents.push(event);
          }
          return [200, event];
        },
      },
    },
    {
      method: "POST",
      pattern: /^\/v1\/billing_portal\/sessions$/,
      spec: {
        required: ["customer"],
        allowed: ["customer", "return_url"],
        handle: (p) => {
          if (!customers.has(String(p.customer))) return stripeError(400, `No such customer: '${String(p.customer)}'`, { code: "resource_missing", param: "customer" });
          const sid = id("bps");
          return [200, { id: sid, object: "billing_portal.session", customer: p.customer, return_url: p.return_url ?? null, url: `https://billing.stripe.test/session/${sid}`, livemode: false }];
        },
      },
    },
    { method: "GET", pattern: /^\/v1\/invoices\/([^/]+)$/, spec: { required: [], allowed: [], handle: retrieve(invoices, "invoice") } },
  ];

  const server: Server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", "http://fake");
    const body = Buffer.concat(chunks).toString("utf8");
    const fromQuery = parseStripeForm(url.search.slice(1));
    const fromBody = parseStripeForm(body);
    const params = { ...fromQuery.params, ...fromBody.params };
    const keys = [...fromQuery.keys, ...fromBody.keys];
    const method = req.method ?? "GET";
    const authorization = req.headers.authorization ?? null;
    const idempotencyKey = (req.headers["idempotency-key"] as string | undefined) ?? null;
    const record: RecordedRequest = { method, path: url.pathname, params, keys, idempotencyKey, authorization, status: 0 };
    requests.push(record);
    const send = ([status, payload]: [number, unknown]) => {
      record.status = status;
      res.writeHead(status, { "content-type": "application/json", "request-id": id("req") });
      res.end(JSON.stringify(payload));
    };

    if (authorization !== `Bearer ${secretKey}`) {
      return send(stripeError(401, "Invalid API Key provided.", { type: "invalid_request_error" }));
    }
    if (body && req.headers["content-type"] !== "application/x-www-form-urlencoded") {
      return send(stripeError(400, `Unexpected content type ${String(req.headers["content-type"])}`));
    }
    let match: RegExpMatchArray | null = null;
    const route = routes.find((r) => r.method === method && (match = url.pathname.match(r.pattern)));
    if (!route || !match) return send(stripeError(404, `Unrecognized request URL (${method}: ${url.pathname}).`));
    for (const key of keys) {
      if (!keyAllowed(key, route.spec.allowed)) return send(stripeError(400, `Received unknown parameter: ${key}`, { param: key }));
    }
    for (const key of route.spec.required) {
      if (!keys.includes(key)) return send(stripeError(400, `Missing required param: ${key}.`, { param: key }));
    }
    if (idempotencyKey && method === "POST") {
      const fingerprint = `${url.pathname}?${body}`;
      const earlier = idempotency.get(idempotencyKey);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) {
          return send(stripeError(400, "Keys for idempotent requests can only be used with the same parameters they were first used with.", { type: "idempotency_error" }));
        }
        return send([earlier.status, earlier.body]);
      }
      const [status, payload] = route.spec.handle(params, match);
      idempotency.set(idempotencyKey, { fingerprint, status, body: payload });
      return send([status, payload]);
    }
    send(route.spec.handle(params, match));
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    requests,
    customers,
    meters,
    prices,
    subscriptions,
    invoices,
    meterEvents,
    get meterEventPosts() {
      return state.meterEventPosts;
    },
    addInvoice(input) {
      const inv: Obj = {
        id: id("in"),
        object: "invoice",
        customer: input.customer,
        status: input.status,
        number: `TRIB-${randomBytes(2).toString("hex").toUpperCase()}`,
        livemode: false,
        parent: input.subscription ? { type: "subscription_details", subscription_details: { subscription: input.subscription } } : null,
      };
      invoices.set(inv.id, inv);
      return inv;
    },
    setSubscriptionStatus(sid, status) {
      const s = subscriptions.get(sid);
      if (!s) throw new Error(`no subscription ${sid}`);
      s.status = status;
    },
    meteredAmountMinor(sid) {
      const sub = subscriptions.get(sid);
      if (!sub) throw new Error(`no subscription ${sid}`);
      let total = 0;
      for (const item of (sub.items as { data: { price: Obj }[] }).data) {
        const price = prices.get(item.price.id)!;
        const recurring = price.recurring as { usage_type: string; meter: string | null };
        if (recurring.usage_type !== "metered") continue;
        const eventName = meters.get(recurring.meter!)!.event_name;
        const quantity = meterEvents
          .filter((e) => e.event_name === eventName && (e.payload as { stripe_customer_id: string }).stripe_customer_id === sub.customer)
          .reduce((a, e) => a + Number((e.payload as { value: string }).value), 0);
        let amount = 0;
        if (price.billing_scheme === "tiered") {
          let rest = quantity;
          let from = 0;
          for (const tier of price.tiers as { up_to: string; unit_amount?: string; unit_amount_decimal?: string }[]) {
            const upTo = tier.up_to === "inf" ? Infinity : Number(tier.up_to);
            const n = Math.min(rest, upTo - from);
            amount += n * Number(tier.unit_amount_decimal ?? tier.unit_amount ?? 0);
            rest -= n;
            from = upTo;
            if (rest <= 0) break;
          }
        } else amount = quantity * Number(price.unit_amount_decimal ?? price.unit_amount ?? 0);
        total += Math.round(amount);
      }
      return total;
    },
    expireIdempotencyKeys() {
      idempotency.clear();
    },
    calls(method, pathPrefix) {
      return requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
    },
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
