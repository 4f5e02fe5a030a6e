import { clamp, gaussian, pick, randomDigits, randomHex, randomUuid, round, type Rng } from "./random";

/**
 * Per-product touches on top of the generic generator: the fields whose values make a stream
 * look real, and the record key. Keys are the entity a consumer orders by (cell, device,
 * subscriber, payment), so per-key order holds on the source topic. `fields` maps dotted paths
 * to values; `undefined` removes a field the generic walker may have filled (an IRSF alert has
 * no SIM swap time). Entity pools live in `state`, so a cell's load or a device's battery evolve
 * from record to record instead of being drawn afresh.
 */
export type FlavourContext = { rng: Rng; now: Date; state: Record<string, unknown> };
export type FlavourOutput = { key: string; fields: Record<string, unknown> };
export type Flavour = { rateFactor?: number; build(ctx: FlavourContext): FlavourOutput };

function pool<T>(ctx: FlavourContext, name: string, size: number, make: (i: number) => T): T[] {
  return ((ctx.state[name] as T[] | undefined) ??= Array.from({ length: size }, (_, i) => make(i)));
}

/** Next entity in turn, so every entity reports at a similar rate. */
function roundRobin<T>(ctx: FlavourContext, name: string, items: T[]): T {
  const i = ((ctx.state[`${name}:cursor`] as number | undefined) ?? 0) % items.length;
  ctx.state[`${name}:cursor`] = i + 1;
  return items[i];
}

function seq(ctx: FlavourContext, name: string): number {
  const n = ((ctx.state[`${name}:seq`] as number | undefined) ?? 0) + 1;
  ctx.state[`${name}:seq`] = n;
  return n;
}

/** Local (CET) hour of day as a fraction: the demo world is a German operator. */
function localHour(now: Date): number {
  return (now.getUTCHours() + 1 + now.getUTCMinutes() / 60) % 24;
}

/** Mobile traffic over the day: quiet at 4am, a morning rise, lunch and the evening busy hour. */
export function busyHourLoad(now: Date): number {
  const h = localHour(now);
  const bump = (centre: number, width: number) => Math.exp(-(((h - centre) / width) ** 2));
  return clamp(0.12 + 0.3 * bump(8.5, 1.8) + 0.45 * bump(12.5, 3) + 0.75 * bump(20.5, 2.4), 0, 1);
}

const iso = (d: Date | number) => new Date(d).toISOString();
const msisdn = (rng: Rng) => `+49${pick(rng, ["151", "160", "170", "176", "157"])}${randomDigits(rng, 8)}`;
const FIRST = ["Anna", "Jonas", "Lea", "Lukas", "Marie", "Felix", "Sofia", "Elias", "Mila", "Noah", "Clara", "Paul", "Emre", "Zofia"];
const LAST = ["Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Koch", "Richter", "Klein", "Yilmaz", "Nowak"];
const person = (rng: Rng) => `${pick(rng, FIRST)} ${pick(rng, LAST)}`;

/** A German IBAN with a correct ISO 7064 mod-97 check, so it passes real validators too. */
export function germanIban(rng: Rng): string {
  const bban = randomDigits(rng, 18);
  const numeric = `${bban}131400`; // "DE00" with D=13, E=14
  let r = 0;
  for (const ch of numeric) r = (r * 10 + Number(ch)) % 97;
  return `DE${String(98 - r).padStart(2, "0")}${bban}`;
}

const SITES = [
  { id: "MUC", lat: 48.137, lon: 11.575, region: "south" },
  { id: "BER", lat: 52.52, lon: 13.405, region: "metro" },
  { id: "HAM", lat: 53.551, lon: 9.994, region: "north" },
  { id: "CGN", lat: 50.938, lon: 6.96, region: "west" },
  { id: "LEJ", lat: 51.34, lon: 12.373, region: "east" },
  { id: "FRA", lat: 50.11, lon: 8.682, region: "west" },
];

type Cell = { id: string; tech: string; band: string; site: { id: string; latitude: number; longitude: number; region: string }; capacity: number; bias: number; degradedUntil: number };

const cellKpis: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const cells = pool<Cell>(ctx, "cells", 48, (i) => {
      const s = SITES[i % SITES.length];
      const tech = pick(rng, ["4G", "5G-NSA", "5G-SA"]);
      return {
        id: `262-01-${randomHex(rng, 8).toUpperCase()}`,
        tech,
        band: tech === "4G" ? pick(rng, ["B3", "B7", "B20"]) : pick(rng, ["n78", "n28", "n1"]),
        site: { id: `${s.id}-${String(100 + i * 7).padStart(4, "0")}`, latitude: round(s.lat + gaussian(rng) * 0.08, 5), longitude: round(s.lon + gaussian(rng) * 0.12, 5), region: s.region },
        capacity: tech === "4G" ? 250 : 600,
        bias: 0.7 + rng() * 0.6,
        degradedUntil: 0,
      };
    });
    const c = roundRobin(ctx, "cells", cells);
    // A few cells at a time go bad for minutes (a failing radio unit, interference) and recover.
    if (c.degradedUntil < now.getTime() && rng() < 0.004) c.degradedUntil = now.getTime() + (2 + rng() * 8) * 60_000;
    const degraded = c.degradedUntil > now.getTime();
    const prb = clamp(busyHourLoad(now) * c.bias + gaussian(rng) * 0.04, 0.02, 0.99);
    const peak = c.tech === "4G" ? 90 : 420;
    const windowEnd = Math.floor(now.getTime() / 60_000) * 60_000;
    return {
      key: c.id,
      fields: {
        window_end: iso(windowEnd),
        "cell.id": c.id,
        "cell.technology": c.tech,
        "cell.band": c.band,
        "cell.site": c.site,
        "metrics.active_users": Math.round(prb * c.capacity * (degraded ? 0.6 : 1)),
        "metrics.prb_utilisation": round(prb, 3),
        "metrics.throughput_mbps": round(Math.max(1, peak * (1 - 0.75 * prb) * (degraded ? 0.25 : 1) * (1 + gaussian(rng) * 0.05)), 1),
        "metrics.drop_rate": round(degraded ? 0.03 + rng() * 0.07 : 0.001 + 0.012 * prb ** 3 + rng() * 0.001, 4),
        "metrics.latency_ms": round((c.tech === "5G-SA" ? 8 : 14) + 22 * prb ** 2 + (degraded ? 40 : 0) + rng() * 2, 1),
      },
    };
  },
};

const IRSF_RANGES = [
  { prefix: "+882", country: "XV" },
  { prefix: "+881", country: "XV" },
  { prefix: "+247", country: "AC" },
  { prefix: "+675", country: "PG" },
  { prefix: "+252", country: "SO" },
  { prefix: "+371", country: "LV" },
];

const fraudAlerts: Flavour = {
  rateFactor: 0.25,
  build(ctx) {
    const { rng, now } = ctx;
    const type = pick(rng, ["sim_swap", "sim_swap", "sim_swap", "irsf", "irsf", "wangiri", "account_takeover"]);
    // Most alerts are weak; a tail is near-certain fraud.
    const score = round(clamp(type === "sim_swap" ? 0.25 + 0.75 * rng() ** 0.6 : rng() ** 1.8, 0, 1), 3);
    const number = msisdn(rng);
    const dest = pick(rng, IRSF_RANGES);
    const callFraud = type === "irsf" || type === "wangiri";
    return {
      key: number,
      fields: {
        "alert.id": `FA-${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, "0")}-${String(seq(ctx, "fa")).padStart(7, "0")}`,
        "alert.type": type,
        "alert.score": score,
        "alert.raised_at": iso(now),
        "alert.model": type === "sim_swap" ? "simswap-gbm-4.2" : type === "account_takeover" ? "ato-rules-1.9" : "irsf-velocity-2.0",
        "subscriber.msisdn": number,
        "subscriber.account_id": `ACC-${randomDigits(rng, 8)}`,
        "subscriber.tenure_days": Math.floor(rng() ** 2 * 4000),
        "sim.iccid_previous": type === "sim_swap" ? `894901${randomDigits(rng, 13)}` : undefined,
        "sim.swapped_at": type === "sim_swap" ? iso(now.getTime() - (1 + rng() * 90) * 60_000) : undefined,
        "sim.channel": type === "sim_swap" ? pick(rng, ["store", "phone", "phone", "app", "web"]) : undefined,
        "destination.number_prefix": callFraud ? dest.prefix : undefined,
        "destination.country": callFraud ? dest.country : undefined,
        "evidence.primary_signal": pick(rng, type === "sim_swap" ? ["password_reset_after_swap", "new_device_login", "bank_otp_after_swap"] : ["call_burst_premium_range", "short_calls_many_targets", "roaming_spike"]),
        "evidence.signal_count": 1 + Math.floor(rng() * 6),
      },
    };
  },
};

type Subscriber = { msisdn: string; imsi: string; tariff: string; brand: string };

const subscribers = (ctx: FlavourContext) =>
  pool<Subscriber>(ctx, "subs", 400, () => ({
    msisdn: msisdn(ctx.rng),
    imsi: `26201${randomDigits(ctx.rng, 10)}`,
    tariff: pick(ctx.rng, ["FLEX-S", "FLEX-M", "FLEX-L", "UNLIMITED", "PREPAID-BASIC"]),
    brand: pick(ctx.rng, ["meridian", "meridian", "meridian", "nimbus", "orbit"]),
  }));

const cdrBilling: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const s = pick(rng, subscribers(ctx));
    const type = pick(rng, ["data", "data", "data", "data", "voice", "voice", "voice", "sms", "sms", "mms"]);
    const inBundle = rng() < 0.7;
    const duration = type === "voice" ? Math.round(-Math.log(Math.max(rng(), 1e-6)) * 140) + 3 : undefined;
    const volume = type === "data" ? Math.round(Math.exp(13 + gaussian(rng) * 2)) : undefined;
    const amount = inBundle ? 0 : type === "voice" ? Math.ceil((duration ?? 0) / 60) * 9 : type === "data" ? Math.ceil((volume ?? 0) / 1e6) * 2 : type === "sms" ? 9 : 39;
    return {
      key: s.msisdn,
      fields: {
        "record.id": `CDR-${randomHex(rng, 10).toUpperCase()}`,
        "record.sequence": type === "data" && rng() < 0.1 ? 2 + Math.floor(rng() * 3) : 1,
        "record.type": type,
        "record.started_at": iso(now.getTime() - (duration ?? 30) * 1000),
        subscriber: { msisdn: s.msisdn, imsi: s.imsi, tariff_code: s.tariff, brand: s.brand },
        "usage.duration_s": duration,
        "usage.volume_bytes": volume,
        "usage.serving_cell_id": `262-01-${randomHex(rng, 8).toUpperCase()}`,
        "counterparty.number": type === "voice" || type === "sms" ? msisdn(rng) : undefined,
        "charge.amount_minor": amount,
        "charge.currency": "EUR",
        "charge.bundle_id": inBundle ? pick(rng, ["FLAT-VOICE-DE", "DATA-20GB", "SMS-ALLNET", "EU-ROAM"]) : undefined,
      },
    };
  },
};

type Device = { id: string; type: string; firmware: string; iccid: string; account: string; lat: number; lon: number; battery: number; drain: number; temp: number };

const iotTelemetry: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const devices = pool<Device>(ctx, "devices", 60, () => {
      const s = pick(rng, SITES);
      const type = pick(rng, ["tracker", "smart_meter", "vending", "cold_chain", "wearable"]);
      return {
        id: `dev-${randomHex(rng, 8)}`,
        type,
        firmware: pick(rng, ["3.8.1", "3.9.0", "4.0.2"]),
        iccid: `8949020000${randomDigits(rng, 10)}`,
        account: `ENT-${100000 + Math.floor(rng() * 900)}`,
        lat: s.lat + gaussian(rng) * 0.05,
        lon: s.lon + gaussian(rng) * 0.05,
        battery: 40 + rng() * 60,
        drain: 0.05 + rng() * 0.4,
        temp: type === "cold_chain" ? 4 : 18,
      };
    });
    const d = roundRobin(ctx, "devices", devices);
    // Batteries only go down, until someone swaps them.
    d.battery -= d.drain * (0.5 + rng());
    if (d.battery < 3) d.battery = 100;
    const moving = d.type === "tracker" || d.type === "cold_chain" || d.type === "wearable";
    if (moving) {
      d.lat = clamp(d.lat + gaussian(rng) * 0.002, -90, 90);
      d.lon = clamp(d.lon + gaussian(rng) * 0.003, -180, 180);
    }
    // Cold-chain boxes hold 2-8 °C with the occasional excursion (a door left open).
    const target = d.type === "cold_chain" ? (rng() < 0.02 ? 12 : 4.5) : 14 + 6 * Math.sin(((localHour(now) - 9) / 24) * 2 * Math.PI);
    d.temp += (target - d.temp) * 0.3 + gaussian(rng) * 0.3;
    return {
      key: d.id,
      fields: {
        device: { id: d.id, type: d.type, firmware: d.firmware, iccid: d.iccid },
        received_at: iso(now),
        "position.lat": round(d.lat, 5),
        "position.lon": round(d.lon, 5),
        "position.accuracy_m": Math.round(moving ? 5 + rng() * 40 : 3 + rng() * 5),
        "reading.temperature_c": round(d.temp, 1),
        "reading.battery_pct": Math.round(clamp(d.battery, 0, 100)),
        "radio.rsrp_dbm": Math.round(clamp(-95 + gaussian(rng) * 10, -140, -60)),
        "customer.account_id": d.account,
      },
    };
  },
};

const PARTNERS = [
  { plmn: "234-15", country: "GB" },
  { plmn: "208-01", country: "FR" },
  { plmn: "222-10", country: "IT" },
  { plmn: "214-07", country: "ES" },
  { plmn: "204-08", country: "NL" },
  { plmn: "310-260", country: "US" },
];
type Roamer = { imsi: string; msisdn?: string; partner: (typeof PARTNERS)[number]; inbound: boolean; tac: string; step: number };

const roamingEvents: Flavour = {
  build(ctx) {
    const { rng } = ctx;
    const roamers = pool<Roamer>(ctx, "roamers", 120, () => {
      const partner = pick(rng, PARTNERS);
      const inbound = rng() < 0.55;
      const home = inbound ? partner.plmn.replace("-", "") : "26201";
      return { imsi: `${home}${randomDigits(rng, 15 - home.length)}`, msisdn: inbound ? undefined : msisdn(rng), partner, inbound, tac: randomDigits(rng, 8), step: 0 };
    });
    const r = pick(rng, roamers);
    // attach, some location updates, a data session, then detach, and around again
    const cycle = ["attach", "location_update", "session_start", "location_update", "location_update", "detach"];
    const eventType = cycle[r.step % cycle.length];
    r.step++;
    return {
      key: r.imsi,
      fields: {
        event_id: randomUuid(rng),
        event_time: iso(ctx.now),
        direction: r.inbound ? "inbound" : "outbound",
        event_type: eventType,
        "subscriber.imsi": r.imsi,
        "subscriber.msisdn": r.msisdn,
        "home.plmn": r.inbound ? r.partner.plmn : "262-01",
        "visited.plmn": r.inbound ? "262-01" : r.partner.plmn,
        "visited.country": r.inbound ? "DE" : r.partner.country,
        "visited.location_area": `TAC-${40000 + Math.floor(rng() * 2000)}`,
        "device.tac": r.tac,
      },
    };
  },
};

const DRIVERS_DOWN = ["dropped_calls_7d", "slow_data_evenings", "bill_shock_roaming", "long_wait_hotline"];
const DRIVERS_UP = ["network_upgrade_nearby", "fast_resolution", "tariff_upgrade", "loyalty_bonus"];
type Customer = { id: string; email: string; ageBand: string; postcode: string; segment: string; score: number };

const cxScores: Flavour = {
  rateFactor: 0.5,
  build(ctx) {
    const { rng, now } = ctx;
    const customers = pool<Customer>(ctx, "customers", 300, () => {
      const first = pick(rng, FIRST).toLowerCase();
      return {
        id: `C-${30000000 + Math.floor(rng() * 999999)}`,
        email: `${first[0]}.${pick(rng, LAST).toLowerCase()}${Math.floor(rng() * 90)}@example.com`,
        ageBand: pick(rng, ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]),
        postcode: String(10000 + Math.floor(rng() * 89999)),
        segment: pick(rng, ["consumer", "consumer", "consumer", "small_business", "enterprise"]),
        score: 5 + rng() * 4,
      };
    });
    const c = pick(rng, customers);
    const previous = c.score;
    c.score = clamp(c.score + gaussian(rng) * 1.2 + (7 - c.score) * 0.1, 0, 10);
    const down = c.score < previous;
    const channel = pick(rng, ["app", "web", "phone", "store", "chat", "network", "network"]);
    const human = channel === "phone" || channel === "store" || channel === "chat";
    return {
      key: c.id,
      fields: {
        customer: { id: c.id, email: c.email, age_band: c.ageBand, postcode: c.postcode, segment: c.segment },
        "score.value": round(c.score, 1),
        "score.previous": round(previous, 1),
        "score.top_driver": pick(rng, down ? DRIVERS_DOWN : DRIVERS_UP),
        "score.computed_at": iso(now),
        "interaction.channel": channel,
        "interaction.reason": pick(rng, down ? ["BILL_DISPUTE", "NETWORK_COMPLAINT", "CANCELLATION_THREAT"] : ["PLAN_CHANGE", "DEVICE_UPGRADE", "GENERAL_ENQUIRY"]),
        "interaction.agent_notes": human ? pick(rng, down ? ["Customer upset about roaming charges.", "Calls drop at home since last week.", "Wants to cancel, offered retention deal."] : ["Happy with the new tariff.", "Issue solved on first contact."]) : undefined,
      },
    };
  },
};

const ZONES = [
  { area: "DE-LU", exchange: "EPEX", base: 95 },
  { area: "FR", exchange: "EPEX", base: 82 },
  { area: "NL", exchange: "EPEX", base: 98 },
  { area: "AT", exchange: "EPEX", base: 104 },
  { area: "NO2", exchange: "NORDPOOL", base: 48 },
  { area: "SE3", exchange: "NORDPOOL", base: 41 },
  { area: "ES", exchange: "OMIE", base: 70 },
  { area: "IT-NORD", exchange: "GME", base: 112 },
];

/** Day-ahead price shape: night trough, morning and evening peaks, a solar dip at midday. */
function priceShape(hour: number): number {
  const bump = (c: number, w: number) => Math.exp(-(((hour - c) / w) ** 2));
  return 0.75 + 0.35 * bump(8, 1.5) + 0.55 * bump(19, 2) - 0.45 * bump(13, 2.2);
}

type Zone = (typeof ZONES)[number] & { level: number; slot: number };

const dayAheadPrices: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const zones = pool<Zone>(ctx, "zones", ZONES.length, (i) => ({ ...ZONES[i], level: 1, slot: 0 }));
    const z = roundRobin(ctx, "zones", zones);
    // The auction's level wanders from day to day with gas prices and wind; a random walk.
    z.level = clamp(z.level + gaussian(rng) * 0.01, 0.4, 2.5);
    const quarterHourly = z.exchange === "EPEX";
    const slots = quarterHourly ? 96 : 24;
    const slot = z.slot++ % slots;
    const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - 3_600_000;
    const start = tomorrow + slot * (quarterHourly ? 900_000 : 3_600_000);
    const hour = ((start - tomorrow) / 3_600_000) % 24;
    const price = clamp(z.base * z.level * priceShape(hour) + gaussian(rng) * 6 - (hour > 10 && hour < 15 && rng() < 0.05 ? 120 : 0), -500, 4000);
    const corrected = rng() < 0.03;
    return {
      key: z.area,
      fields: {
        "market.area": z.area,
        "market.exchange": z.exchange,
        "delivery.start": iso(start),
        "delivery.resolution": quarterHourly ? "PT15M" : "PT60M",
        "price.eur_mwh": round(price, 2),
        "volume.mwh": round((quarterHourly ? 0.25 : 1) * z.base * 120 * (0.7 + 0.3 * priceShape(hour)) * (0.9 + rng() * 0.2), 1),
        revision: corrected ? 1 : 0,
        "corrected_by.analyst_id": corrected ? `EMP-${4400 + Math.floor(rng() * 60)}` : undefined,
      },
    };
  },
};

const intradayTrades: Flavour = {
  rateFactor: 0.6,
  build(ctx) {
    const { rng, now } = ctx;
    const traders = pool(ctx, "traders", 8, () => ({ id: `EMP-${4400 + Math.floor(rng() * 99)}`, desk: pick(rng, ["short-term", "renewables", "flex"]) }));
    const leis = pool(ctx, "leis", 12, () => randomHex(rng, 20).toUpperCase());
    const t = pick(rng, traders);
    const zone = pick(rng, ZONES.slice(0, 4));
    const deliveryStart = (Math.floor(now.getTime() / 900_000) + 2 + Math.floor(rng() * 12)) * 900_000;
    const hour = (new Date(deliveryStart).getUTCHours() + 1) % 24;
    const id = `T-${iso(now).slice(0, 10).replace(/-/g, "")}-${String(seq(ctx, "trade")).padStart(6, "0")}`;
    return {
      key: id,
      fields: {
        trade: { id, status: rng() < 0.04 ? "cancelled" : "executed", side: rng() < 0.5 ? "buy" : "sell", executed_at: iso(now) },
        contract: { area: zone.area, delivery_start: iso(deliveryStart) },
        "price.eur_mwh": round(zone.base * priceShape(hour) + gaussian(rng) * 15, 2),
        "volume.mw": round(0.1 + rng() ** 2 * 50, 1),
        trader: { id: t.id, desk: t.desk },
        "counterparty.lei": pick(rng, leis),
      },
    };
  },
};

const STATIONS = [
  { id: "PMU-LEJ-02", latitude: 51.3397, longitude: 12.3731 },
  { id: "PMU-MUC-01", latitude: 48.1374, longitude: 11.5755 },
  { id: "PMU-HAM-03", latitude: 53.5511, longitude: 9.9937 },
  { id: "PMU-CGN-01", latitude: 50.9375, longitude: 6.9603 },
  { id: "PMU-BER-04", latitude: 52.52, longitude: 13.405 },
];

const gridFrequency: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const g = ((ctx.state.grid as { f: number; at: number } | undefined) ??= { f: 50, at: now.getTime() });
    // Mean-reverting around 50 Hz (primary control), with a rare loss of a large generator.
    const previous = g.f;
    g.f = 50 + (g.f - 50) * 0.9 + gaussian(rng) * 0.006 - (rng() < 0.002 ? 0.12 : 0);
    g.f = clamp(g.f, 49.6, 50.4);
    const dt = Math.max(0.2, (now.getTime() - g.at) / 1000);
    g.at = now.getTime();
    const s = roundRobin(ctx, "stations", STATIONS);
    const f = g.f + gaussian(rng) * 0.0015;
    const deviation = f - 50;
    const active = Math.abs(deviation) > 0.02;
    return {
      key: s.id,
      fields: {
        station: s,
        measured_at: iso(now),
        "frequency.hz": round(f, 4),
        "frequency.rocof_hz_s": round((g.f - previous) / dt, 4),
        "activation.asset_id": active ? pick(rng, ["BESS-07", "BESS-12", "PSH-03", "GT-21"]) : undefined,
        "activation.mw": active ? round(-deviation * 600, 1) : undefined,
        "activation.override_by": undefined,
      },
    };
  },
};

type Payment = { id: string; scheme: string; amount: number; stateIdx: number; payer: { iban: string; name: string; customer_id: string }; payee: { iban: string; name: string; bic: string }; remittance: string; end: "settled" | "rejected" | "returned" };
const PAYMENT_PATH = ["received", "screened", "authorised", "settled"];
const MERCHANTS = [
  { name: "CAFE KORNBLUME BERLIN", mcc: "5814", country: "DE" },
  { name: "REWE MARKT 4411", mcc: "5411", country: "DE" },
  { name: "DB FERNVERKEHR", mcc: "4112", country: "DE" },
  { name: "SHELL 2231", mcc: "5541", country: "DE" },
  { name: "AMZN MKTP DE", mcc: "5942", country: "LU" },
  { name: "APOTHEKE AM MARKT", mcc: "5912", country: "DE" },
  { name: "HOTEL LES ARTS", mcc: "7011", country: "FR" },
  { name: "STEAM PURCHASE", mcc: "5816", country: "US" },
];

const paymentEvents: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const inFlight = ((ctx.state.payments as Payment[] | undefined) ??= []);
    // Start a payment or move one along: each payment emits its lifecycle in order, one state
    // per event, keyed by payment.id.
    if (inFlight.length < 4 || (inFlight.length < 40 && rng() < 0.3)) {
      const roll = rng();
      inFlight.push({
        id: `NB${iso(now).slice(0, 10).replace(/-/g, "")}-${String(seq(ctx, "pay")).padStart(9, "0")}`,
        scheme: pick(rng, ["SCT", "SCT_INST", "SCT_INST", "INTERNAL"]),
        amount: Math.round(Math.exp(8 + gaussian(rng) * 1.5)) + 1,
        stateIdx: -1,
        payer: { iban: germanIban(rng), name: person(rng), customer_id: `NBC-${randomDigits(rng, 7)}` },
        payee: { iban: germanIban(rng), name: rng() < 0.5 ? person(rng) : pick(rng, MERCHANTS).name, bic: pick(rng, ["COBADEFFXXX", "DEUTDEFFXXX", "PSSTFRPPXXX", "INGDDEFFXXX"]) },
        remittance: pick(rng, ["Invoice 2026-1187", "Rent December", "Thank you!", "Order 554120", "Loan instalment 7/24", "Donation"]),
        end: roll < 0.04 ? "rejected" : roll < 0.06 ? "returned" : "settled",
      });
    }
    const i = Math.floor(rng() * inFlight.length);
    const p = inFlight[i];
    p.stateIdx++;
    let state = PAYMENT_PATH[Math.min(p.stateIdx, PAYMENT_PATH.length - 1)];
    if (p.end === "rejected" && p.stateIdx === 2) state = "rejected";
    if (p.end === "returned" && p.stateIdx === 4) state = "returned";
    const done = state === "rejected" || state === "returned" || (state === "settled" && p.end === "settled");
    if (done) inFlight.splice(i, 1);
    return {
      key: p.id,
      fields: {
        payment: { id: p.id, scheme: p.scheme, state, amount_minor: p.amount, currency: "EUR", remittance_info: p.remittance },
        payer: p.payer,
        payee: p.payee,
        occurred_at: iso(now),
        reason_code: state === "rejected" ? pick(rng, ["AC01", "AM04", "AG01"]) : state === "returned" ? pick(rng, ["MS03", "AC04", "FOCR"]) : undefined,
      },
    };
  },
};

type Card = { token: string; product: string; customer: string };

const cardAuthorisations: Flavour = {
  build(ctx) {
    const { rng, now } = ctx;
    const cards = pool<Card>(ctx, "cards", 250, () => ({ token: `tok_4000${randomDigits(rng, 12)}`, product: pick(rng, ["debit", "debit", "credit", "prepaid"]), customer: `NBC-${randomDigits(rng, 7)}` }));
    const c = pick(rng, cards);
    const m = pick(rng, MERCHANTS);
    const channel = m.mcc === "5942" || m.mcc === "5816" ? "ecommerce" : pick(rng, ["pos", "contactless", "contactless", "atm"]);
    const roll = rng();
    const decision = roll < 0.92 ? "approved" : roll < 0.985 ? "declined" : "referred";
    return {
      key: c.token,
      fields: {
        auth: { id: `AUTH-${randomHex(rng, 8)}`, requested_at: iso(now), decision, decline_reason: decision === "declined" ? pick(rng, ["51", "05", "54", "59"]) : undefined },
        amount: { minor: channel === "atm" ? 5000 * (1 + Math.floor(rng() * 6)) : Math.round(Math.exp(7 + gaussian(rng))), currency: m.country === "US" ? "USD" : "EUR" },
        card: { token: c.token, product: c.product },
        "cardholder.customer_id": c.customer,
        merchant: m,
        "channel.type": channel,
        "channel.three_ds": channel === "ecommerce" ? pick(rng, ["frictionless", "frictionless", "challenge_passed", "challenge_failed"]) : "not_applicable",
        "channel.device_ip": channel === "ecommerce" ? `${80 + Math.floor(rng() * 100)}.${Math.floor(rng() * 256)}.${Math.floor(rng() * 256)}.${1 + Math.floor(rng() * 254)}` : undefined,
      },
    };
  },
};

const TYPOLOGIES: Record<string, string> = {
  structuring: "cash deposits just below reporting threshold",
  rapid_movement: "funds in and out within 24 hours",
  mule_pattern: "many small inbound transfers from unrelated payers",
  high_risk_jurisdiction: "transfers to a high-risk jurisdiction",
  unusual_cash: "cash volume far above the customer's profile",
};

const amlAlerts: Flavour = {
  rateFactor: 0.15,
  build(ctx) {
    const { rng, now } = ctx;
    const scenario = pick(rng, Object.keys(TYPOLOGIES));
    const customer = `NBC-${randomDigits(rng, 7)}`;
    const opened = rng() < 0.3;
    return {
      key: customer,
      fields: {
        alert: { id: `AML-${now.getUTCFullYear()}-${String(seq(ctx, "aml")).padStart(7, "0")}`, scenario, score: Math.round(40 + rng() ** 0.7 * 60), raised_at: iso(now) },
        "subject.customer_id": customer,
        "subject.nationality": pick(rng, ["DE", "DE", "DE", "PL", "TR", "RO", "NL", "AE"]),
        "subject.risk_rating": pick(rng, ["low", "medium", "medium", "high"]),
        "finding.typology": TYPOLOGIES[scenario],
        "finding.first_transaction_id": `NB${iso(now.getTime() - 3 * 86_400_000).slice(0, 10).replace(/-/g, "")}-${Math.floor(rng() * 99999)}`,
        "finding.transaction_count": 1 + Math.floor(rng() ** 2 * 40),
        "case.id": opened ? `CASE-${randomDigits(rng, 6)}` : undefined,
        "case.decision": opened && rng() < 0.5 ? pick(rng, ["closed_no_action", "closed_no_action", "escalated", "sar_filed"]) : undefined,
      },
    };
  },
};

const legacyCdr: Flavour = {
  rateFactor: 0.3,
  build(ctx) {
    const { rng, now } = ctx;
    const s = pick(rng, subscribers(ctx));
    const type = pick(rng, ["voice", "sms", "data"]);
    return {
      key: s.msisdn,
      fields: { id: `L${randomHex(rng, 12).toUpperCase()}`, msisdn: s.msisdn, type, duration: type === "voice" ? Math.round(rng() * 600) : 0, amount: Math.round(rng() * 200), ts: iso(now) },
    };
  },
};

/** Flavours by product slug (the seeded demo products). */
export const FLAVOURS: Record<string, Flavour> = {
  "cell-network-kpis": cellKpis,
  "fraud-alerts-sim-swap-irsf": fraudAlerts,
  "cdr-billing-events": cdrBilling,
  "iot-device-telemetry": iotTelemetry,
  "roaming-events": roamingEvents,
  "customer-experience-scores": cxScores,
  "day-ahead-power-prices": dayAheadPrices,
  "intraday-power-trades": intradayTrades,
  "grid-frequency": gridFrequency,
  "payment-events": paymentEvents,
  "card-authorisations": cardAuthorisations,
  "aml-alerts": amlAlerts,
  "cdr-feed-legacy": legacyCdr,
};
