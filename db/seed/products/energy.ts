import { field as f } from "../contract";
import { flatMonthly, freeInternal, fullAccess, internalPerMillion, partnerPerGb, publicFree } from "../plans";
import type { ProductSpec } from "../types";

const req = { required: true } as const;

export const ENERGY_PRODUCTS: ProductSpec[] = [
  {
    slug: "day-ahead-power-prices",
    name: "Day-ahead Power Prices",
    summary: "Hourly and 15-minute day-ahead auction clearing prices for all European bidding zones we trade.",
    description: `Clearing prices from the daily day-ahead coupling auction, normalised across exchanges and
published as soon as the results are final (usually around 12:45 CET), one record per bidding
zone and delivery period.

Corrections happen: when the exchange republishes, the desk's market-data analyst corrects the
curve and a new record with a higher \`revision\` follows. Always keep the highest revision per
\`market.area\` and \`delivery.start\`.

- Prices are in EUR/MWh, negative prices are valid;
- 15-minute products exist since the market moved to 15-minute MTU; \`delivery.resolution\` says which;
- \`supply_curve\` is the exchange's aggregated supply curve for the period as
  \`[price EUR/MWh, volume MWh]\` pairs, ascending by price (at most 50 points), for merit-order
  and price-sensitivity analysis.`,
    domain: "energy",
    tags: ["energy", "power", "market-data", "day-ahead", "prices", "epex"],
    classification: "internal",
    team: "energy-trading-desk",
    sourceTopic: "energy.market.day-ahead-prices.v1",
    contactEmail: "desk@voltaris.demo",
    status: "published",
    contract: {
      version: "1.2.0",
      freshnessSlaSeconds: 900,
      availabilityTarget: "99.9%",
      retentionHours: 8760,
      purposes: ["trading", "risk-management", "forecasting"],
      prohibitedUses: ["market-manipulation", "resale"],
      changelog: "1.2.0 adds 15-minute resolution.",
      fields: [
        f("market.area", "string", "none", "Bidding zone short name, e.g. DE-LU.", req),
        f("market.exchange", "string", "none", "Exchange that ran the auction.", { enum: ["EPEX", "NORDPOOL", "OMIE", "GME"] }),
        f("delivery.start", "string", "none", "Start of the delivery period (UTC).", { ...req, format: "date-time" }),
        f("delivery.resolution", "string", "none", "Length of the period.", { ...req, enum: ["PT60M", "PT15M"] }),
        f("price.eur_mwh", "number", "none", "Clearing price in EUR/MWh.", { ...req, minimum: -500, maximum: 4000 }),
        f("volume.mwh", "number", "none", "Cleared volume in MWh.", { minimum: 0 }),
        f("revision", "integer", "none", "0 for the first publication, +1 per correction.", { ...req, minimum: 0 }),
        f("corrected_by.analyst_id", "string", "direct", "Employee id of the analyst who corrected the record."),
        f("supply_curve[][]", "number", "none", "Aggregated supply curve: [price EUR/MWh, volume MWh] pairs, ascending by price."),
      ],
      qualityRules: [
        { id: "price-bounds", kind: "range", field: "price.eur_mwh", params: { min: -500, max: 4000 } },
        { id: "resolution-known", kind: "enum", field: "delivery.resolution", params: { values: ["PT60M", "PT15M"] } },
        // Prices bottom out at the harmonised floor and volumes are never negative.
        { id: "curve-floor", kind: "range", field: "supply_curve[][]", params: { min: -500 } },
      ],
    },
    example: {
      market: { area: "DE-LU", exchange: "EPEX" },
      delivery: { start: "2026-11-22T17:00:00Z", resolution: "PT15M" },
      price: { eur_mwh: 142.37 },
      volume: { mwh: 11840.2 },
      revision: 0,
      supply_curve: [
        [-500, 3120.5],
        [0, 7420],
        [85.1, 10210.4],
        [142.37, 11840.2],
        [310, 13905.7],
      ],
    },
    tiers: ["internal", "public"],
    plans: [freeInternal(), publicFree(), flatMonthly(40000, "internal", { name: "Desk licence" })],
  },
  {
    slug: "intraday-power-trades",
    name: "Intraday Power Trades",
    summary: "Every intraday continuous trade the desk executes, with counterparty, price, volume and trader.",
    description: `Own trades on the intraday continuous market, straight from the trading platform's execution
reports. Risk uses the stream for live position and P&L; compliance uses it for REMIT transaction
reporting.

Access is tightly purpose-bound:

1. **internal** (risk, middle office): trader ids hashed, counterparties kept as LEI;
2. **full** (compliance and REMIT reporting only): everything in clear.

\`\`\`json
{ "trade": { "id": "T-8812", "side": "buy" }, "price": { "eur_mwh": 131.2 } }
\`\`\`

Trades are never updated in place: a cancellation is a new record with \`trade.status = "cancelled"\`.`,
    domain: "energy",
    tags: ["energy", "trading", "intraday", "power", "remit", "positions"],
    classification: "restricted",
    team: "energy-trading-desk",
    sourceTopic: "energy.trading.intraday-trades.v1",
    contactEmail: "desk@voltaris.demo",
    status: "published",
    contract: {
      version: "1.0.0",
      freshnessSlaSeconds: 5,
      availabilityTarget: "99.95%",
      retentionHours: 43800,
      purposes: ["risk-management", "regulatory-reporting"],
      prohibitedUses: ["market-manipulation", "resale", "employee-monitoring"],
      fields: [
        f("trade.id", "string", "none", "Exchange trade id.", req),
        f("trade.status", "string", "none", "Trade status.", { ...req, enum: ["executed", "cancelled"] }),
        f("trade.side", "string", "none", "Our side of the trade.", { ...req, enum: ["buy", "sell"] }),
        f("trade.executed_at", "string", "none", "Execution time (UTC).", { ...req, format: "date-time" }),
        f("contract.area", "string", "none", "Delivery bidding zone.", req),
        f("contract.delivery_start", "string", "none", "Start of delivery (UTC).", { ...req, format: "date-time" }),
        f("price.eur_mwh", "number", "none", "Trade price in EUR/MWh.", req),
        f("volume.mw", "number", "none", "Traded capacity in MW.", { ...req, minimum: 0 }),
        f("trader.id", "string", "direct", "Employee id of the executing trader.", req),
        f("trader.desk", "string", "none", "Desk or book.", { enum: ["short-term", "renewables", "flex"] }),
        f("counterparty.lei", "string", "quasi", "LEI of the counterparty; may be a sole trader.", { pattern: "^[A-Z0-9]{20}$" }),
      ],
      qualityRules: [
        { id: "volume-positive", kind: "range", field: "volume.mw", params: { min: 0 } },
        { id: "lei-format", kind: "pattern", field: "counterparty.lei", params: { pattern: "^[A-Z0-9]{20}$" } },
        { id: "fresh", kind: "max_age", field: "trade.executed_at", params: { seconds: 60 } },
      ],
    },
    example: {
      trade: { id: "T-20261121-008812", status: "executed", side: "buy", executed_at: "2026-11-21T18:41:59.412Z" },
      contract: { area: "DE-LU", delivery_start: "2026-11-21T20:00:00Z" },
      price: { eur_mwh: 131.2 },
      volume: { mw: 25 },
      trader: { id: "EMP-4471", desk: "short-term" },
      counterparty: { lei: "529900T8BM49AURSDO55" },
    },
    tiers: ["internal"],
    plans: [internalPerMillion(2500), fullAccess(75000)],
  },
  {
    slug: "grid-frequency",
    name: "Grid Frequency & Balancing Telemetry",
    summary: "One-second grid frequency from our measurement stations plus balancing activations.",
    description: `High-resolution (1 Hz) frequency measurements from Voltaris' phasor measurement stations, with the
balancing-energy activations of our battery and flexibility assets interleaved.

Why subscribe:

- frequency is the best real-time signal for system imbalance and therefore intraday prices;
- battery dispatch optimisation needs activations and frequency on the same clock.

Station coordinates are exact only in the full tier; field-engineer ids appear on manual overrides.`,
    domain: "energy",
    tags: ["energy", "grid", "frequency", "balancing", "batteries", "telemetry"],
    classification: "internal",
    team: "grid-analytics",
    sourceTopic: "energy.grid.frequency.v1",
    contactEmail: "grid-analytics@voltaris.demo",
    status: "published",
    contract: {
      version: "1.0.0",
      freshnessSlaSeconds: 5,
      availabilityTarget: "99.9%",
      retentionHours: 720,
      purposes: ["grid-balancing", "trading", "asset-optimisation"],
      prohibitedUses: ["resale"],
      fields: [
        f("station.id", "string", "none", "Measurement station id.", req),
        f("station.latitude", "number", "quasi", "Station latitude.", { minimum: -90, maximum: 90 }),
        f("station.longitude", "number", "quasi", "Station longitude.", { minimum: -180, maximum: 180 }),
        f("measured_at", "string", "none", "GPS-synchronised measurement time.", { ...req, format: "date-time" }),
        f("frequency.hz", "number", "none", "Grid frequency in Hz.", { ...req, minimum: 49, maximum: 51 }),
        f("frequency.rocof_hz_s", "number", "none", "Rate of change of frequency, Hz/s."),
        f("activation.asset_id", "string", "none", "Balancing asset activated, if any."),
        f("activation.mw", "number", "none", "Activated power, positive is injection."),
        f("activation.override_by", "string", "direct", "Field engineer who overrode the automatic dispatch."),
      ],
      qualityRules: [
        { id: "frequency-bounds", kind: "range", field: "frequency.hz", params: { min: 49, max: 51 } },
        { id: "fresh", kind: "max_age", field: "measured_at", params: { seconds: 30 } },
      ],
    },
    example: {
      station: { id: "PMU-LEJ-02", latitude: 51.3397, longitude: 12.3731 },
      measured_at: "2026-11-21T18:42:07Z",
      frequency: { hz: 49.982, rocof_hz_s: -0.004 },
      activation: { asset_id: "BESS-07", mw: 12.5 },
    },
    tiers: ["internal", "partner"],
    plans: [freeInternal(), partnerPerGb(1500, "EUR")],
  },
  {
    slug: "smart-meter-readings",
    name: "Smart Meter Readings (15-minute)",
    summary: "Household and business smart-meter interval readings (draft: pending privacy review).",
    description: `Draft. Fifteen-minute consumption readings from smart meters connected through the IoT platform.
Blocked on the privacy review: interval data reveals when people are at home.`,
    domain: "energy",
    tags: ["energy", "smart-meter", "consumption", "iot"],
    classification: "restricted",
    team: "iot-platform",
    sourceTopic: "telco.iot.smart-meter-readings.v1",
    contactEmail: "iot@meridian.demo",
    status: "draft",
    contract: {
      version: "0.2.0",
      freshnessSlaSeconds: 1800,
      availabilityTarget: "99.0%",
      retentionHours: 2160,
      purposes: ["grid-balancing", "forecasting"],
      prohibitedUses: ["marketing", "individual-profiling"],
      fields: [
        f("meter.id", "string", "quasi", "Meter point id.", req),
        f("meter.postcode", "string", "quasi", "Postcode of the metering point."),
        f("customer.id", "string", "direct", "Supply contract holder."),
        f("interval.start", "string", "none", "Start of the 15-minute interval.", { ...req, format: "date-time" }),
        f("energy.kwh", "number", "none", "Consumption in kWh.", { ...req, minimum: 0 }),
      ],
      qualityRules: [{ id: "kwh-positive", kind: "range", field: "energy.kwh", params: { min: 0 } }],
    },
    example: { meter: { id: "DE0001234567890000000000000012345", postcode: "04109" }, interval: { start: "2026-11-21T18:30:00Z" }, energy: { kwh: 0.412 } },
    tiers: ["internal"],
    plans: [freeInternal()],
  },
];
