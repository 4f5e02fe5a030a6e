import type { FieldSpec } from "./types";

/**
 * Word lists for synthetic products. Each domain has its own entities, measures, tags, purposes
 * and a field pool, so a generated catalog reads like a real one and search has realistic
 * term distributions (common words like "events" everywhere, rare ones like "handover" in one domain).
 */
export type DomainVocabulary = {
  domain: string;
  topicPrefix: string;
  entities: string[];
  measures: string[];
  tags: string[];
  purposes: string[];
  prohibited: string[];
  consumers: string[];
  fields: FieldSpec[];
};

const f = (
  path: string,
  type: FieldSpec["type"],
  pii: FieldSpec["pii"],
  description: string,
  extra: Partial<FieldSpec> = {},
): FieldSpec => ({ path, type, pii, description, required: extra.required ?? false, ...extra });

export const COMMON_FIELDS: FieldSpec[] = [
  f("event_id", "string", "none", "Unique id of the event; producers retry with the same id.", { format: "uuid", required: true }),
  f("event_time", "string", "none", "When the event happened at the source (UTC).", { format: "date-time", required: true }),
];

export const REGIONS = [
  "Nordics", "Benelux", "Iberia", "DACH", "Alpine", "Baltic", "Central", "Northern", "Southern", "Eastern",
  "Western", "Coastal", "Metro", "Rural", "Global", "EMEA", "Atlantic", "Danube", "Rhine", "Highlands",
];

export const QUALIFIERS = ["", "", "", "Hourly", "Daily", "Real-time", "Enriched", "Raw", "Curated", "Sampled", "Aggregated"];

export const DOMAINS: DomainVocabulary[] = [
  {
    domain: "network",
    topicPrefix: "telco.network",
    entities: ["Cell", "Radio Link", "Backhaul", "5G Slice", "Core Session", "Fibre Node", "Base Station", "Handover", "Spectrum", "Antenna"],
    measures: ["KPIs", "Events", "Alarms", "Counters", "Quality Metrics", "Outages", "Utilisation", "Latency Samples"],
    tags: ["network", "radio", "5g", "lte", "kpi", "operations", "capacity", "latency", "noc"],
    purposes: ["network-optimisation", "capacity-planning", "incident-response"],
    prohibited: ["individual-profiling", "marketing"],
    consumers: ["the network operations centre", "capacity planners", "the SON automation platform"],
    fields: [
      f("cell.id", "string", "none", "Cell global identity (ECGI/NCGI).", { required: true }),
      f("cell.technology", "string", "none", "Radio access technology.", { enum: ["2G", "3G", "4G", "5G-NSA", "5G-SA"] }),
      f("cell.site.latitude", "number", "quasi", "Site latitude, WGS84.", { minimum: -90, maximum: 90 }),
      f("cell.site.longitude", "number", "quasi", "Site longitude, WGS84.", { minimum: -180, maximum: 180 }),
      f("metrics.prb_utilisation", "number", "none", "Physical resource block utilisation, 0..1.", { minimum: 0, maximum: 1 }),
      f("metrics.throughput_mbps", "number", "none", "Mean downlink throughput in Mbit/s.", { minimum: 0 }),
      f("metrics.drop_rate", "number", "none", "Share of calls or sessions dropped.", { minimum: 0, maximum: 1 }),
      f("metrics.latency_ms", "number", "none", "Median user-plane latency in milliseconds.", { minimum: 0 }),
      f("alarm.severity", "string", "none", "Alarm severity.", { enum: ["critical", "major", "minor", "warning"] }),
      f("subscriber.imsi", "string", "direct", "IMSI of the affected subscriber, when the event is per session.", { pattern: "^[0-9]{15}$" }),
    ],
  },
  {
    domain: "fraud",
    topicPrefix: "telco.fraud",
    entities: ["SIM Swap", "IRSF", "Wangiri", "Account Takeover", "Subscription Fraud", "Device Cloning", "Bypass"],
    measures: ["Alerts", "Signals", "Risk Scores", "Cases", "Detections"],
    tags: ["fraud", "security", "risk", "alerts", "sim-swap", "irsf", "real-time"],
    purposes: ["fraud-prevention", "security-operations", "regulatory-reporting"],
    prohibited: ["credit-scoring", "marketing"],
    consumers: ["the fraud operations team", "bank partners verifying SIM changes", "the security SOC"],
    fields: [
      f("alert.id", "string", "none", "Alert identifier.", { required: true }),
      f("alert.score", "number", "none", "Risk score from 0 (benign) to 1 (certain fraud).", { minimum: 0, maximum: 1, required: true }),
      f("alert.rule", "string", "none", "Detection rule or model that fired."),
      f("subscriber.msisdn", "string", "direct", "Phone number in E.164 form.", { pattern: "^\\+[1-9][0-9]{6,14}$" }),
      f("subscriber.account_id", "string", "direct", "Billing account number."),
      f("device.imei", "string", "direct", "IMEI of the handset involved."),
      f("location.country", "string", "quasi", "ISO 3166-1 alpha-2 country of the event."),
      f("destination.number_prefix", "string", "none", "Called number prefix (premium-rate ranges for IRSF)."),
    ],
  },
  {
    domain: "billing",
    topicPrefix: "telco.billing",
    entities: ["CDR", "Rated Usage", "Invoice", "Top-up", "Bundle", "Charging Session", "Balance"],
    measures: ["Events", "Records", "Adjustments", "Snapshots", "Ledger Entries"],
    tags: ["billing", "cdr", "rating", "revenue", "charging", "finance"],
    purposes: ["billing", "revenue-assurance", "financial-reporting"],
    prohibited: ["marketing", "individual-profiling"],
    consumers: ["revenue assurance", "the data warehouse", "MVNO partners reconciling wholesale invoices"],
    fields: [
      f("record.id", "string", "none", "CDR or charging record id.", { required: true }),
      f("record.type", "string", "none", "Usage type.", { enum: ["voice", "sms", "data", "mms", "roaming"] }),
      f("subscriber.msisdn", "string", "direct", "Phone number in E.164 form."),
      f("subscriber.plan_code", "string", "none", "Tariff plan code."),
      f("usage.duration_s", "integer", "none", "Call duration in seconds.", { minimum: 0 }),
      f("usage.volume_bytes", "integer", "none", "Data volume in bytes.", { minimum: 0 }),
      f("charge.amount_minor", "integer", "none", "Rated amount in minor currency units."),
      f("charge.currency", "string", "none", "ISO 4217 currency.", { pattern: "^[A-Z]{3}$" }),
      f("counterparty.number", "string", "direct", "The other party's number."),
    ],
  },
  {
    domain: "iot",
    topicPrefix: "telco.iot",
    entities: ["Smart Meter", "Fleet Tracker", "Connected Car", "Asset Tag", "Vending Machine", "Cold Chain Sensor", "Wearable"],
    measures: ["Telemetry", "Heartbeats", "Positions", "Diagnostics", "Readings"],
    tags: ["iot", "telemetry", "m2m", "devices", "gps", "sensors"],
    purposes: ["fleet-management", "predictive-maintenance", "device-operations"],
    prohibited: ["individual-tracking", "marketing"],
    consumers: ["logistics partners", "device operations", "predictive maintenance models"],
    fields: [
      f("device.id", "string", "none", "Device identifier assigned by the IoT platform.", { required: true }),
      f("device.iccid", "string", "quasi", "SIM ICCID of the device."),
      f("device.firmware", "string", "none", "Firmware version."),
      f("position.lat", "number", "quasi", "Latitude, WGS84.", { minimum: -90, maximum: 90 }),
      f("position.lon", "number", "quasi", "Longitude, WGS84.", { minimum: -180, maximum: 180 }),
      f("reading.temperature_c", "number", "none", "Temperature in °C."),
      f("reading.battery_pct", "integer", "none", "Battery charge in percent.", { minimum: 0, maximum: 100 }),
      f("owner.customer_id", "string", "direct", "Customer owning the device."),
    ],
  },
  {
    domain: "customer",
    topicPrefix: "telco.customer",
    entities: ["Customer Experience", "Churn Risk", "NPS Survey", "Care Interaction", "Complaint", "Journey"],
    measures: ["Scores", "Events", "Signals", "Feedback", "Predictions"],
    tags: ["customer", "experience", "churn", "care", "nps", "satisfaction"],
    purposes: ["customer-care", "service-improvement", "churn-prevention"],
    prohibited: ["credit-scoring", "resale"],
    consumers: ["the customer care desk", "CX analysts", "retention campaigns (aggregate only)"],
    fields: [
      f("customer.id", "string", "direct", "Customer number.", { required: true }),
      f("customer.email", "string", "direct", "Contact email address.", { format: "email" }),
      f("customer.age_band", "string", "quasi", "Age band.", { enum: ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"] }),
      f("customer.postcode", "string", "quasi", "Billing postcode."),
      f("score.value", "number", "none", "Score value from 0 to 10.", { minimum: 0, maximum: 10 }),
      f("score.model", "string", "none", "Model or survey that produced the score."),
      f("interaction.channel", "string", "none", "Contact channel.", { enum: ["app", "web", "phone", "store", "chat"] }),
      f("interaction.notes", "string", "sensitive", "Free-text notes of the agent; may contain health or financial details."),
    ],
  },
  {
    domain: "energy",
    topicPrefix: "energy.trading",
    entities: ["Day-ahead Price", "Intraday Trade", "Grid Frequency", "Balancing Energy", "Wind Forecast", "Solar Forecast", "Gas Nomination", "Capacity Auction"],
    measures: ["Ticks", "Curves", "Snapshots", "Events", "Forecasts", "Positions"],
    tags: ["energy", "power", "trading", "market-data", "grid", "renewables", "epex"],
    purposes: ["trading", "risk-management", "grid-balancing", "regulatory-reporting"],
    prohibited: ["market-manipulation", "resale"],
    consumers: ["the trading desk", "risk management", "REMIT reporting"],
    fields: [
      f("market.area", "string", "none", "Bidding zone (EIC code or short name).", { required: true }),
      f("market.product", "string", "none", "Traded product, e.g. hourly or 15-minute block."),
      f("price.eur_mwh", "number", "none", "Price in EUR per MWh."),
      f("volume.mwh", "number", "none", "Volume in MWh.", { minimum: 0 }),
      f("delivery.start", "string", "none", "Start of the delivery period.", { format: "date-time" }),
      f("trader.id", "string", "direct", "Trader identifier of the desk member."),
      f("counterparty.lei", "string", "quasi", "Legal entity identifier of the counterparty."),
      f("frequency.hz", "number", "none", "Grid frequency in Hz.", { minimum: 45, maximum: 55 }),
    ],
  },
  {
    domain: "payments",
    topicPrefix: "bank.payments",
    entities: ["Card Authorisation", "SEPA Transfer", "Instant Payment", "Chargeback", "Direct Debit", "Wallet Top-up", "Merchant Settlement"],
    measures: ["Events", "Decisions", "Status Updates", "Batches", "Exceptions"],
    tags: ["payments", "cards", "sepa", "banking", "transactions", "pci"],
    purposes: ["payment-processing", "fraud-prevention", "reconciliation", "regulatory-reporting"],
    prohibited: ["marketing", "credit-scoring", "resale"],
    consumers: ["payment operations", "the fraud engine", "finance reconciliation"],
    fields: [
      f("payment.id", "string", "none", "Payment identifier.", { required: true }),
      f("payment.amount_minor", "integer", "none", "Amount in minor units.", { required: true }),
      f("payment.currency", "string", "none", "ISO 4217 currency.", { pattern: "^[A-Z]{3}$" }),
      f("payer.iban", "string", "direct", "Payer IBAN.", { mask: { internal: { strategy: "partial", keepLast: 4 } } }),
      f("payer.name", "string", "direct", "Payer name as given in the instruction."),
      f("card.pan_token", "string", "quasi", "Network token of the card (never the PAN)."),
      f("merchant.mcc", "string", "none", "Merchant category code.", { pattern: "^[0-9]{4}$" }),
      f("merchant.country", "string", "none", "Merchant country (ISO 3166-1 alpha-2)."),
      f("status", "string", "none", "Processing status.", { enum: ["received", "authorised", "declined", "settled", "returned"] }),
    ],
  },
  {
    domain: "compliance",
    topicPrefix: "bank.compliance",
    entities: ["AML", "Sanctions Screening", "KYC Review", "Transaction Monitoring", "PEP Match"],
    measures: ["Alerts", "Cases", "Hits", "Decisions"],
    tags: ["aml", "compliance", "kyc", "sanctions", "risk", "regulatory"],
    purposes: ["anti-money-laundering", "regulatory-reporting"],
    prohibited: ["marketing", "credit-scoring", "sharing-outside-compliance"],
    consumers: ["financial crime investigators", "the MLRO office"],
    fields: [
      f("case.id", "string", "none", "Case identifier.", { required: true }),
      f("case.risk_rating", "string", "none", "Risk rating.", { enum: ["low", "medium", "high"] }),
      f("subject.customer_id", "string", "direct", "Customer under review."),
      f("subject.date_of_birth", "string", "quasi", "Date of birth.", { format: "date" }),
      f("subject.nationality", "string", "quasi", "Nationality (ISO 3166-1 alpha-2)."),
      f("finding.typology", "string", "sensitive", "Suspected typology, e.g. structuring or mule activity."),
    ],
  },
  {
    domain: "retail",
    topicPrefix: "telco.retail",
    entities: ["Store Footfall", "Order", "Handset Stock", "Basket", "Click-and-collect", "Promotion"],
    measures: ["Events", "Counts", "Snapshots", "Status Updates"],
    tags: ["retail", "stores", "ecommerce", "orders", "inventory"],
    purposes: ["store-operations", "supply-planning"],
    prohibited: ["individual-profiling"],
    consumers: ["store managers", "supply chain", "e-commerce analytics"],
    fields: [
      f("store.id", "string", "none", "Store code.", { required: true }),
      f("order.id", "string", "none", "Order number."),
      f("order.total_minor", "integer", "none", "Order total in minor units."),
      f("sku", "string", "none", "Stock keeping unit."),
      f("quantity", "integer", "none", "Units.", { minimum: 0 }),
      f("customer.email", "string", "direct", "Buyer email.", { format: "email" }),
      f("customer.postcode", "string", "quasi", "Delivery postcode."),
    ],
  },
];

export const SENTENCES = {
  intro: [
    "Published by {team}, this stream carries {entity} {measure} for the {region} footprint.",
    "{entity} {measure} from {region}, validated against the contract and delivered within seconds.",
    "A governed feed of {entity} {measure}, sourced from {system} and owned by {team}.",
  ],
  detail: [
    "Records are keyed by the natural identifier, so per-key ordering holds within a partition.",
    "Late records are accepted up to one hour after the event time and flagged in the header.",
    "The feed replaced a nightly batch export; consumers typically see data {latency} after the event.",
    "Volumes peak in the evening busy hour at roughly {rate} messages per second.",
  ],
  usage: [
    "Typical consumers are {consumer}.",
    "Most subscribers use it for {purpose} dashboards and alerting.",
    "It is the reference source for {purpose}; ask before building a copy.",
  ],
  systems: ["the OSS mediation layer", "the core charging system", "the trading platform", "the card switch", "the IoT connectivity platform", "the CRM", "the SCADA historian", "the data lake"],
  latencies: ["under two seconds", "about five seconds", "under a minute", "within ten seconds"],
};
