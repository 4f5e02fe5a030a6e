import { field as f } from "../contract";
import { flatMonthly, freeInternal, fullAccess, internalPerMillion, partnerPerGb, publicFree } from "../plans";
import type { ProductSpec } from "../types";

const req = { required: true } as const;

export const TELCO_PRODUCTS: ProductSpec[] = [
  {
    slug: "cell-network-kpis",
    name: "Cell Network Quality KPIs",
    summary: "Per-cell radio KPIs every 60 seconds for the whole 4G/5G network: throughput, PRB load, drops, latency.",
    description: `Every radio cell in Meridian's 4G and 5G network reports a compact KPI record once a minute. The
stream is the same feed the Network Operations Centre uses for its live dashboards, validated against
this contract and published within seconds of the measurement window closing.

Use it for:

- capacity planning and busy-hour analysis per cell, site or region;
- detecting degraded cells (rising drop rate, falling throughput) before customers call;
- correlating radio quality with customer-experience scores (see *Customer Experience Scores*).

KPI definitions (all over the 60-second window):

| field | unit | definition |
|---|---|---|
| \`metrics.prb_utilisation\` | 0..1 | downlink PRBs scheduled / PRBs available |
| \`metrics.throughput_mbps\` | Mbit/s | mean downlink throughput per active user |
| \`metrics.drop_rate\` | 0..1 | abnormal releases / (normal + abnormal releases) |
| \`metrics.latency_ms\` | ms | median user-plane round trip, UE to core |
| \`neighbours[].rsrp_dbm\` | dBm | mean RSRP UEs reported for that neighbour |

\`neighbours\` lists the three strongest neighbour cells from UE measurement reports, with handover
attempts and success towards each: the input for handover tuning and missing-neighbour detection.

Records are keyed by \`cell.id\`, so all records of one cell land in the same partition and arrive in
order. Site coordinates are exact in the full tier and rounded to about 10 km for partners.`,
    domain: "network",
    tags: ["network", "radio", "5g", "lte", "kpi", "capacity", "real-time"],
    classification: "internal",
    team: "network-analytics",
    sourceTopic: "telco.network.cell-kpis.v1",
    contactEmail: "network-analytics@meridian.demo",
    status: "published",
    contract: {
      version: "2.1.0",
      freshnessSlaSeconds: 90,
      availabilityTarget: "99.9%",
      retentionHours: 168,
      purposes: ["network-optimisation", "capacity-planning", "incident-response"],
      prohibitedUses: ["individual-profiling", "marketing"],
      changelog: "2.1.0 adds metrics.latency_ms and the neighbours list (both optional). 2.0.0 moved site coordinates under cell.site.",
      fields: [
        f("event_id", "string", "none", "Unique id of this KPI record.", { ...req, format: "uuid" }),
        f("window_end", "string", "none", "End of the 60-second measurement window (UTC).", { ...req, format: "date-time" }),
        f("cell.id", "string", "none", "E-UTRAN/NR cell global identity.", { ...req, pattern: "^[0-9]{3}-[0-9]{2,3}-[0-9A-F]{6,10}$" }),
        f("cell.technology", "string", "none", "Radio access technology.", { ...req, enum: ["4G", "5G-NSA", "5G-SA"] }),
        f("cell.band", "string", "none", "Frequency band, e.g. n78 or B20."),
        f("cell.site.id", "string", "none", "Site identifier.", req),
        f("cell.site.latitude", "number", "quasi", "Site latitude (WGS84). Rural sites can identify a household's mast.", { minimum: -90, maximum: 90 }),
        f("cell.site.longitude", "number", "quasi", "Site longitude (WGS84).", { minimum: -180, maximum: 180 }),
        f("cell.site.region", "string", "none", "Operations region.", { enum: ["north", "south", "east", "west", "metro"] }),
        f("metrics.active_users", "integer", "none", "Connected users averaged over the window.", { minimum: 0 }),
        f("metrics.prb_utilisation", "number", "none", "Downlink physical resource block utilisation, 0..1.", { ...req, minimum: 0, maximum: 1 }),
        f("metrics.throughput_mbps", "number", "none", "Mean downlink user throughput in Mbit/s.", { minimum: 0 }),
        f("metrics.drop_rate", "number", "none", "Share of sessions dropped in the window, 0..1.", { ...req, minimum: 0, maximum: 1 }),
        f("metrics.latency_ms", "number", "none", "Median user-plane latency in ms (since 2.1.0).", { minimum: 0 }),
        f("neighbours", "array", "none", "Strongest neighbour cells seen in UE measurement reports, strongest first (at most 3; since 2.1.0)."),
        f("neighbours[].cell_id", "string", "none", "Global identity of the neighbour cell.", { ...req, pattern: "^[0-9]{3}-[0-9]{2,3}-[0-9A-F]{6,10}$" }),
        f("neighbours[].rsrp_dbm", "number", "none", "Mean reference signal received power of the neighbour, dBm.", { ...req, minimum: -156, maximum: -31 }),
        f("neighbours[].handover_attempts", "integer", "none", "Handovers attempted from this cell to the neighbour.", { minimum: 0 }),
        f("neighbours[].handover_success_rate", "number", "none", "Share of those handovers that succeeded, 0..1.", { minimum: 0, maximum: 1 }),
      ],
      qualityRules: [
        { id: "cell-id-present", kind: "required", field: "cell.id", params: {} },
        { id: "prb-range", kind: "range", field: "metrics.prb_utilisation", params: { min: 0, max: 1 } },
        { id: "technology-known", kind: "enum", field: "cell.technology", params: { values: ["4G", "5G-NSA", "5G-SA"] } },
        { id: "fresh-window", kind: "max_age", field: "window_end", params: { seconds: 600 } },
        { id: "neighbour-rsrp-range", kind: "range", field: "neighbours[].rsrp_dbm", params: { min: -156, max: -31 } },
      ],
    },
    example: {
      event_id: "6f1c2a7e-4b0d-4f59-9a55-1c7d2e0b8a11",
      window_end: "2026-11-21T18:42:00Z",
      cell: {
        id: "262-01-1A2B3C4D",
        technology: "5G-SA",
        band: "n78",
        site: { id: "MUC-0412", latitude: 48.13743, longitude: 11.57549, region: "south" },
      },
      metrics: { active_users: 184, prb_utilisation: 0.71, throughput_mbps: 212.4, drop_rate: 0.0031, latency_ms: 11.2 },
      neighbours: [
        { cell_id: "262-01-1A2B3C51", rsrp_dbm: -88.5, handover_attempts: 42, handover_success_rate: 0.98 },
        { cell_id: "262-01-1A2B3D07", rsrp_dbm: -97.0, handover_attempts: 17, handover_success_rate: 0.94 },
        { cell_id: "262-01-0F11A2C3", rsrp_dbm: -104.5, handover_attempts: 3, handover_success_rate: 1 },
      ],
    },
    tiers: ["internal", "partner", "public"],
    plans: [freeInternal(), partnerPerGb(3500, "EUR", 250000), publicFree(), fullAccess(50000)],
  },
  {
    slug: "fraud-alerts-sim-swap-irsf",
    name: "Fraud Alerts: SIM Swap & IRSF",
    summary: "Real-time fraud alerts for SIM-swap account takeovers and International Revenue Share Fraud, scored 0-1.",
    description: `Fraud & Security runs detection models over signalling, provisioning and call records. Every alert
they raise is published here within seconds: **SIM swaps** followed by suspicious activity, and
**IRSF** traffic pumping to premium-rate international ranges.

Banks use the partner tier to check whether a customer's SIM changed recently before approving a
payment. Internal consumers (care, billing) use it to block or flag accounts.

What the score means:

| \`alert.score\` | what happens |
|---|---|
| below 0.4 | informational, no action |
| 0.4 to 0.8 | reviewed by the fraud desk |
| above 0.8 | premium and international calls are blocked automatically |

\`evidence.signals\` lists every signal behind the score with its weight (the weights of one alert
sum to about 1), so consumers can explain an alert or apply their own threshold per signal.

Phone numbers are hashed with a per-product key in the internal tier, so you can join alerts with
other Meridian products without seeing the number.`,
    domain: "fraud",
    tags: ["fraud", "security", "sim-swap", "irsf", "alerts", "real-time", "risk"],
    classification: "restricted",
    team: "fraud-security",
    sourceTopic: "telco.fraud.alerts.v1",
    contactEmail: "fraud-ops@meridian.demo",
    status: "published",
    contract: {
      version: "1.3.0",
      freshnessSlaSeconds: 15,
      availabilityTarget: "99.95%",
      retentionHours: 720,
      purposes: ["fraud-prevention", "security-operations"],
      prohibitedUses: ["credit-scoring", "marketing", "employee-monitoring"],
      changelog: "1.3.0 adds the evidence object with its weighted signals. 1.2.0 adds IRSF destination prefix.",
      fields: [
        f("alert.id", "string", "none", "Alert identifier, stable across updates.", req),
        f("alert.type", "string", "none", "Kind of fraud detected.", { ...req, enum: ["sim_swap", "irsf", "wangiri", "account_takeover"] }),
        f("alert.score", "number", "none", "Model score from 0 (benign) to 1 (certain fraud).", { ...req, minimum: 0, maximum: 1 }),
        f("alert.raised_at", "string", "none", "When the alert was raised (UTC).", { ...req, format: "date-time" }),
        f("alert.model", "string", "none", "Model or rule version that produced the alert."),
        f("subscriber.msisdn", "string", "direct", "Affected phone number, E.164.", { ...req, pattern: "^\\+[1-9][0-9]{6,14}$" }),
        f("subscriber.account_id", "string", "direct", "Billing account of the subscriber."),
        f("subscriber.tenure_days", "integer", "quasi", "Days since the contract started.", { minimum: 0 }),
        f("sim.iccid_previous", "string", "direct", "ICCID of the SIM before the swap."),
        f("sim.swapped_at", "string", "quasi", "When the SIM was swapped.", { format: "date-time" }),
        f("sim.channel", "string", "none", "Where the swap was requested.", { enum: ["store", "phone", "app", "web"] }),
        f("destination.number_prefix", "string", "none", "Called international prefix (IRSF), e.g. +882."),
        f("destination.country", "string", "none", "ISO 3166-1 alpha-2 country of the called range."),
        f("evidence.primary_signal", "string", "none", "The signal that contributed most to the score."),
        f("evidence.signal_count", "integer", "none", "How many signals contributed.", { minimum: 0 }),
        f("evidence.signals", "array", "none", "Every signal behind the score, highest weight first."),
        f("evidence.signals[].code", "string", "none", "Signal code, e.g. new_device_login.", req),
        f("evidence.signals[].weight", "number", "none", "Contribution of the signal to the score, 0..1.", { ...req, minimum: 0, maximum: 1 }),
        f("evidence.signals[].observed_at", "string", "quasi", "When the subscriber's activity behind the signal happened.", { format: "date-time" }),
        f("evidence.signals[].source_ip", "string", "quasi", "IP address the activity came from (logins, password resets).", { format: "ipv4" }),
      ],
      qualityRules: [
        { id: "score-range", kind: "range", field: "alert.score", params: { min: 0, max: 1 } },
        { id: "msisdn-e164", kind: "pattern", field: "subscriber.msisdn", params: { pattern: "^\\+[1-9][0-9]{6,14}$" } },
        { id: "swap-has-time", kind: "expression", field: "sim.swapped_at", params: { expression: "alert.type != 'sim_swap' || sim.swapped_at != null" } },
        { id: "signal-weight-range", kind: "range", field: "evidence.signals[].weight", params: { min: 0, max: 1 } },
      ],
    },
    example: {
      alert: { id: "FA-2026-11-0048211", type: "sim_swap", score: 0.87, raised_at: "2026-11-21T18:40:12Z", model: "simswap-gbm-4.2" },
      subscriber: { msisdn: "+4915112345678", account_id: "ACC-77120045", tenure_days: 2210 },
      sim: { iccid_previous: "8949011234567890123", swapped_at: "2026-11-21T18:31:55Z", channel: "phone" },
      evidence: {
        primary_signal: "password_reset_after_swap",
        signal_count: 3,
        signals: [
          { code: "password_reset_after_swap", weight: 0.52, observed_at: "2026-11-21T18:36:10Z", source_ip: "203.0.113.77" },
          { code: "new_device_login", weight: 0.31, observed_at: "2026-11-21T18:38:41Z", source_ip: "203.0.113.77" },
          { code: "swap_via_phone_channel", weight: 0.17, observed_at: "2026-11-21T18:31:55Z" },
        ],
      },
    },
    tiers: ["internal", "partner"],
    plans: [freeInternal(), partnerPerGb(9500, "EUR"), fullAccess(120000)],
  },
  {
    slug: "cdr-billing-events",
    name: "Rated CDR Billing Events",
    summary: "Every rated call, SMS and data session as it leaves the charging system, with tariff and amount.",
    description: `The rated call-detail-record stream: each voice call, SMS and data session after the online charging
system has applied the subscriber's tariff. It replaces the nightly CDR file drop and is the source
of truth for revenue assurance.

Good to know:

1. Data sessions are cut into partial records every 15 minutes or 100 MB, whichever comes first;
   \`record.sequence\` numbers the parts.
2. Amounts are in minor units of \`charge.currency\`; zero-rated usage inside a bundle has amount 0.
   \`charge.items\` breaks the amount down by tariff component (usage, roaming surcharge,
   interconnect, VAT); the items' amounts add up to \`charge.amount_minor\`.
3. Wholesale partners (MVNOs on our network) get their own subscribers' records in the partner tier,
   with the other party's number removed.

Consumers doing reconciliation should deduplicate on \`record.id\` + \`record.sequence\`.`,
    domain: "billing",
    tags: ["billing", "cdr", "rating", "revenue-assurance", "charging", "wholesale"],
    classification: "confidential",
    team: "billing-platform",
    sourceTopic: "telco.billing.cdr-rated.v2",
    contactEmail: "billing-platform@meridian.demo",
    status: "published",
    contract: {
      version: "2.0.0",
      freshnessSlaSeconds: 300,
      availabilityTarget: "99.9%",
      retentionHours: 2160,
      purposes: ["billing", "revenue-assurance", "wholesale-reconciliation"],
      prohibitedUses: ["marketing", "individual-profiling", "location-tracking"],
      changelog: "2.0.0 replaces the flat v1 layout (see the deprecated CDR Feed) with nested subscriber/usage/charge objects.",
      fields: [
        f("record.id", "string", "none", "Charging record id.", req),
        f("record.sequence", "integer", "none", "Part number for partial records, from 1.", { ...req, minimum: 1 }),
        f("record.type", "string", "none", "Usage type.", { ...req, enum: ["voice", "sms", "data", "mms"] }),
        f("record.started_at", "string", "none", "Start of the usage (UTC).", { ...req, format: "date-time" }),
        f("subscriber.msisdn", "string", "direct", "Charged party, E.164.", req),
        f("subscriber.imsi", "string", "direct", "IMSI of the charged SIM.", { pattern: "^[0-9]{15}$" }),
        f("subscriber.tariff_code", "string", "none", "Tariff plan code."),
        f("subscriber.brand", "string", "none", "Brand or MVNO the subscriber belongs to.", { enum: ["meridian", "nimbus", "orbit"] }),
        f("usage.duration_s", "integer", "none", "Call duration in seconds (voice).", { minimum: 0 }),
        f("usage.volume_bytes", "integer", "none", "Data volume in bytes (data).", { minimum: 0 }),
        f("usage.serving_cell_id", "string", "quasi", "Cell the usage started in; reveals coarse location."),
        f("usage.handover_cell_ids[]", "string", "quasi", "Cells the call or session was handed over to, in order; together they trace a route."),
        f("counterparty.number", "string", "direct", "The other party's number (voice, SMS)."),
        f("charge.amount_minor", "integer", "none", "Rated amount in minor units.", req),
        f("charge.currency", "string", "none", "ISO 4217 currency code.", { ...req, pattern: "^[A-Z]{3}$" }),
        f("charge.bundle_id", "string", "none", "Bundle that absorbed the usage, if any."),
        f("charge.items", "array", "none", "Breakdown of the rated amount by tariff component."),
        f("charge.items[].component", "string", "none", "Tariff component.", { ...req, enum: ["usage", "bundle_deduction", "roaming_surcharge", "interconnect", "vat"] }),
        f("charge.items[].amount_minor", "integer", "none", "Amount of this component in minor units of charge.currency.", req),
        f("charge.items[].units", "number", "none", "Units rated by this component (seconds, messages or bytes).", { minimum: 0 }),
        f("charge.items[].rate_id", "string", "none", "Rate table entry applied."),
      ],
      qualityRules: [
        { id: "type-known", kind: "enum", field: "record.type", params: { values: ["voice", "sms", "data", "mms"] } },
        { id: "amount-not-negative", kind: "range", field: "charge.amount_minor", params: { min: 0 } },
        { id: "currency-iso", kind: "pattern", field: "charge.currency", params: { pattern: "^[A-Z]{3}$" } },
      ],
    },
    example: {
      record: { id: "CDR-9F3A1C22E0", sequence: 1, type: "voice", started_at: "2026-11-21T18:02:44Z" },
      subscriber: { msisdn: "+4917698765432", imsi: "262019876543210", tariff_code: "FLEX-M", brand: "meridian" },
      usage: { duration_s: 312, serving_cell_id: "262-01-1A2B3C4D", handover_cell_ids: ["262-01-1A2B3C51", "262-01-1A2B3D07"] },
      counterparty: { number: "+4930123456" },
      charge: {
        amount_minor: 0,
        currency: "EUR",
        bundle_id: "FLAT-VOICE-DE",
        items: [
          { component: "bundle_deduction", amount_minor: 0, units: 312, rate_id: "FLAT-VOICE-DE/national" },
          { component: "interconnect", amount_minor: 0, units: 312, rate_id: "IC-DE-FIXED" },
        ],
      },
    },
    tiers: ["internal", "partner"],
    plans: [internalPerMillion(800), partnerPerGb(6000, "EUR", 500000), fullAccess(90000)],
  },
  {
    slug: "iot-device-telemetry",
    name: "IoT Device Telemetry",
    summary: "Heartbeats, GPS positions and sensor readings from 1.2M connected devices on the IoT platform.",
    description: `Devices on Meridian's IoT connectivity platform (trackers, smart meters, vending machines, cold-chain
sensors) send telemetry through the platform's MQTT gateway; this stream carries it onwards, one
record per device message.

Typical uses:

- fleet dashboards and geofencing for logistics customers;
- predictive maintenance from battery and temperature trends;
- connectivity troubleshooting (signal strength by firmware version).

Battery-powered devices buffer sensor samples and send them in one message: \`readings\` holds every
sample since the previous message, oldest first, and trackers add the positions they logged in
between as \`track\`.

Positions are exact in the full tier. The internal tier rounds coordinates to one decimal (about
11 km), in \`position\` and in every \`track\` point, because a tracker's position is effectively the
position of a person.

\`\`\`bash
kcat -b $BOOTSTRAP -X security.protocol=SASL_PLAINTEXT -X sasl.mechanisms=SCRAM-SHA-512 \\
  -X sasl.username=$USER -X sasl.password=$PASS -G my-group $TOPIC
\`\`\``,
    domain: "iot",
    tags: ["iot", "telemetry", "m2m", "gps", "sensors", "devices"],
    classification: "confidential",
    team: "iot-platform",
    sourceTopic: "telco.iot.device-telemetry.v1",
    contactEmail: "iot@meridian.demo",
    status: "published",
    contract: {
      version: "1.0.0",
      freshnessSlaSeconds: 30,
      availabilityTarget: "99.5%",
      retentionHours: 336,
      purposes: ["fleet-management", "predictive-maintenance", "device-operations"],
      prohibitedUses: ["individual-tracking", "marketing"],
      fields: [
        f("device.id", "string", "none", "Device id assigned by the IoT platform.", req),
        f("device.type", "string", "none", "Device class.", { ...req, enum: ["tracker", "smart_meter", "vending", "cold_chain", "wearable"] }),
        f("device.firmware", "string", "none", "Firmware version."),
        f("device.iccid", "string", "quasi", "ICCID of the SIM in the device."),
        f("received_at", "string", "none", "When the gateway received the message (UTC).", { ...req, format: "date-time" }),
        f("position.lat", "number", "quasi", "Latitude (WGS84).", { minimum: -90, maximum: 90 }),
        f("position.lon", "number", "quasi", "Longitude (WGS84).", { minimum: -180, maximum: 180 }),
        f("position.accuracy_m", "number", "none", "Horizontal accuracy in metres.", { minimum: 0 }),
        f("reading.temperature_c", "number", "none", "Temperature in degrees Celsius."),
        f("reading.battery_pct", "integer", "none", "Battery charge in percent.", { minimum: 0, maximum: 100 }),
        f("radio.rsrp_dbm", "integer", "none", "Reference signal received power.", { minimum: -156, maximum: -31 }),
        f("customer.account_id", "string", "direct", "Enterprise customer owning the device."),
        f("readings", "array", "none", "Sensor samples buffered since the previous message, oldest first."),
        f("readings[].at", "string", "none", "When the sample was taken (device clock, UTC).", { ...req, format: "date-time" }),
        f("readings[].sensor", "string", "none", "What was measured.", { ...req, enum: ["temperature", "humidity", "door", "shock", "battery_voltage"] }),
        f("readings[].value", "number", "none", "Measured value in readings[].unit (door: 1 open, 0 closed).", req),
        f("readings[].unit", "string", "none", "Unit of the value.", { enum: ["celsius", "percent", "state", "g", "volt"] }),
        f("track", "array", "none", "Positions logged since the previous message (trackers only), oldest first."),
        f("track[].at", "string", "none", "When the position was fixed (UTC).", { ...req, format: "date-time" }),
        f("track[].lat", "number", "quasi", "Latitude (WGS84).", { ...req, minimum: -90, maximum: 90 }),
        f("track[].lon", "number", "quasi", "Longitude (WGS84).", { ...req, minimum: -180, maximum: 180 }),
      ],
      qualityRules: [
        { id: "battery-range", kind: "range", field: "reading.battery_pct", params: { min: 0, max: 100 } },
        { id: "lat-range", kind: "range", field: "position.lat", params: { min: -90, max: 90 } },
        { id: "fresh", kind: "max_age", field: "received_at", params: { seconds: 900 } },
        { id: "track-lat-range", kind: "range", field: "track[].lat", params: { min: -90, max: 90 } },
      ],
    },
    example: {
      device: { id: "dev-00a4f1c9", type: "cold_chain", firmware: "3.8.1", iccid: "89490200001234567890" },
      received_at: "2026-11-21T18:41:03Z",
      position: { lat: 53.55108, lon: 9.99368, accuracy_m: 12 },
      reading: { temperature_c: 4.2, battery_pct: 81 },
      radio: { rsrp_dbm: -97 },
      customer: { account_id: "ENT-100482" },
      readings: [
        { at: "2026-11-21T18:26:00Z", sensor: "temperature", value: 4.0, unit: "celsius" },
        { at: "2026-11-21T18:31:00Z", sensor: "door", value: 1, unit: "state" },
        { at: "2026-11-21T18:36:00Z", sensor: "temperature", value: 4.4, unit: "celsius" },
        { at: "2026-11-21T18:41:00Z", sensor: "temperature", value: 4.2, unit: "celsius" },
      ],
      track: [
        { at: "2026-11-21T18:26:00Z", lat: 53.54122, lon: 9.98431 },
        { at: "2026-11-21T18:36:00Z", lat: 53.54907, lon: 9.99012 },
      ],
    },
    tiers: ["internal", "partner"],
    plans: [freeInternal(), internalPerMillion(400), partnerPerGb(2900, "USD")],
  },
  {
    slug: "roaming-events",
    name: "Inbound & Outbound Roaming Events",
    summary: "Roaming registrations and session events for visitors on our network and our customers abroad.",
    description: `A record whenever a subscriber registers on a visited network: inbound roamers (foreign SIMs on
Meridian) and outbound roamers (Meridian SIMs abroad). Built from MAP/Diameter signalling, enriched
with the partner operator and the roaming agreement.

Used by wholesale for steering-of-roaming and partner settlement, by marketing analytics for
aggregate tourism statistics (public tier only), and by fraud for roaming-based attacks.

- \`direction\` tells inbound from outbound;
- \`visited.plmn\` and \`home.plmn\` are MCC-MNC codes;
- the public tier contains no subscriber fields at all.`,
    domain: "network",
    tags: ["roaming", "wholesale", "signalling", "network", "travel"],
    classification: "confidential",
    team: "network-analytics",
    sourceTopic: "telco.network.roaming-events.v1",
    contactEmail: "network-analytics@meridian.demo",
    status: "published",
    contract: {
      version: "1.1.0",
      freshnessSlaSeconds: 60,
      availabilityTarget: "99.9%",
      retentionHours: 720,
      purposes: ["wholesale-settlement", "steering-of-roaming", "fraud-prevention", "aggregate-statistics"],
      prohibitedUses: ["individual-tracking", "marketing"],
      fields: [
        f("event_id", "string", "none", "Unique event id.", { ...req, format: "uuid" }),
        f("event_time", "string", "none", "Signalling time (UTC).", { ...req, format: "date-time" }),
        f("direction", "string", "none", "Inbound or outbound roaming.", { ...req, enum: ["inbound", "outbound"] }),
        f("event_type", "string", "none", "Signalling event.", { ...req, enum: ["attach", "location_update", "detach", "session_start"] }),
        f("subscriber.imsi", "string", "direct", "IMSI of the roaming SIM.", { ...req, pattern: "^[0-9]{15}$" }),
        f("subscriber.msisdn", "string", "direct", "Phone number, when known."),
        f("home.plmn", "string", "none", "Home network MCC-MNC.", req),
        f("visited.plmn", "string", "none", "Visited network MCC-MNC.", req),
        f("visited.country", "string", "none", "ISO 3166-1 alpha-2 country of the visited network."),
        f("visited.location_area", "string", "quasi", "Location or tracking area code."),
        f("device.tac", "string", "none", "Type allocation code (handset model)."),
      ],
      qualityRules: [
        { id: "imsi-digits", kind: "pattern", field: "subscriber.imsi", params: { pattern: "^[0-9]{15}$" } },
        { id: "direction-known", kind: "enum", field: "direction", params: { values: ["inbound", "outbound"] } },
      ],
    },
    example: {
      event_id: "a0e7c3d1-55b2-4e0f-8f0a-2c4b9d7e6f31",
      event_time: "2026-11-21T18:39:51Z",
      direction: "inbound",
      event_type: "attach",
      subscriber: { imsi: "234150123456789" },
      home: { plmn: "234-15" },
      visited: { plmn: "262-01", country: "DE", location_area: "TAC-41022" },
      device: { tac: "35391110" },
    },
    tiers: ["internal", "partner", "public"],
    plans: [
      freeInternal(),
      publicFree(),
      flatMonthly(250000, "partner", { externalAllowed: true, name: "Wholesale flat" }),
      fullAccess(80000),
    ],
  },
  {
    slug: "customer-experience-scores",
    name: "Customer Experience Scores",
    summary: "Per-customer experience score (0-10) updated on every interaction, survey answer or network incident.",
    description: `Customer Care's experience model combines network quality, care interactions, complaints and NPS
survey answers into one score per customer, recomputed whenever any input changes.

What's in a record:

- the new score, the previous one and the main driver of the change;
- the interaction that triggered the update (channel, reason);
- the agent's free-text notes, **full tier only**: they may contain health or financial details
  customers mention on the phone.

The internal tier is what retention and CX analytics use: customer ids are hashed, age and postcode
are coarsened, notes are dropped.`,
    domain: "customer",
    tags: ["customer", "experience", "nps", "churn", "care", "satisfaction"],
    classification: "restricted",
    team: "customer-care",
    sourceTopic: "telco.customer.cx-scores.v1",
    contactEmail: "care-insights@meridian.demo",
    status: "published",
    contract: {
      version: "1.0.0",
      freshnessSlaSeconds: 600,
      availabilityTarget: "99.5%",
      retentionHours: 2160,
      purposes: ["customer-care", "service-improvement", "churn-prevention"],
      prohibitedUses: ["credit-scoring", "resale", "employee-monitoring"],
      fields: [
        f("customer.id", "string", "direct", "Customer number.", req),
        f("customer.email", "string", "direct", "Contact email.", { format: "email" }),
        f("customer.age_band", "string", "quasi", "Age band.", { enum: ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"] }),
        f("customer.postcode", "string", "quasi", "Billing postcode."),
        f("customer.segment", "string", "none", "Commercial segment.", { enum: ["consumer", "small_business", "enterprise"] }),
        f("score.value", "number", "none", "Experience score, 0 (terrible) to 10 (excellent).", { ...req, minimum: 0, maximum: 10 }),
        f("score.previous", "number", "none", "Score before this update.", { minimum: 0, maximum: 10 }),
        f("score.top_driver", "string", "none", "The main driver of the change."),
        f("score.computed_at", "string", "none", "When the score was computed (UTC).", { ...req, format: "date-time" }),
        f("interaction.channel", "string", "none", "Channel of the triggering interaction.", { enum: ["app", "web", "phone", "store", "chat", "network"] }),
        f("interaction.reason", "string", "none", "Reason code of the interaction."),
        f("interaction.agent_notes", "string", "sensitive", "Agent's free-text notes; may contain special-category data."),
      ],
      qualityRules: [
        { id: "score-range", kind: "range", field: "score.value", params: { min: 0, max: 10 } },
        { id: "customer-present", kind: "required", field: "customer.id", params: {} },
      ],
    },
    example: {
      customer: { id: "C-30018842", email: "j.mueller@example.com", age_band: "35-44", postcode: "80331", segment: "consumer" },
      score: { value: 4.1, previous: 6.8, top_driver: "dropped_calls_7d", computed_at: "2026-11-21T18:35:00Z" },
      interaction: { channel: "phone", reason: "BILL_DISPUTE", agent_notes: "Customer upset about roaming charges from holiday." },
    },
    tiers: ["internal"],
    plans: [freeInternal(), fullAccess(60000)],
  },
  {
    slug: "5g-slice-sla-events",
    name: "5G Slice SLA Events",
    summary: "SLA breaches and recoveries for enterprise 5G network slices (draft, not yet published).",
    description: `Draft. Network slices sold to enterprise customers carry SLAs on latency and throughput. This
product will publish an event whenever a slice leaves or re-enters its SLA envelope.

Open questions before publishing:

- which customer identifiers the enterprise account team needs;
- whether partners may see slice ids.`,
    domain: "network",
    tags: ["5g", "slicing", "sla", "enterprise", "network"],
    classification: "confidential",
    team: "network-analytics",
    sourceTopic: "telco.network.slice-sla.v1",
    contactEmail: "network-analytics@meridian.demo",
    status: "draft",
    contract: {
      version: "0.1.0",
      freshnessSlaSeconds: 30,
      availabilityTarget: "99.9%",
      retentionHours: 720,
      purposes: ["sla-management", "incident-response"],
      prohibitedUses: ["marketing"],
      fields: [
        f("slice.id", "string", "none", "Slice identifier (S-NSSAI).", req),
        f("slice.customer_id", "string", "direct", "Enterprise customer of the slice.", req),
        f("state", "string", "none", "Within or outside the SLA.", { ...req, enum: ["breach", "recovered"] }),
        f("at", "string", "none", "When the state changed.", { ...req, format: "date-time" }),
        f("measured.latency_ms", "number", "none", "Latency at the time of the event."),
        f("measured.throughput_mbps", "number", "none", "Throughput at the time of the event."),
      ],
      qualityRules: [{ id: "state-known", kind: "enum", field: "state", params: { values: ["breach", "recovered"] } }],
    },
    example: { slice: { id: "1-000A1F", customer_id: "ENT-200114" }, state: "breach", at: "2026-11-21T18:12:00Z", measured: { latency_ms: 41.5, throughput_mbps: 88 } },
    tiers: ["internal"],
    plans: [freeInternal()],
  },
  {
    slug: "cdr-feed-legacy",
    name: "CDR Feed (legacy v1)",
    summary: "The flat v1 CDR layout. Deprecated: move to Rated CDR Billing Events before the sunset date.",
    description: `**Deprecated.** This is the original flat CDR stream. It is kept running for existing consumers
until its sunset date; new subscriptions are not accepted.

Migrating to *Rated CDR Billing Events* (2.x):

- \`msisdn\` is now \`subscriber.msisdn\`;
- \`duration\` is now \`usage.duration_s\`;
- \`amount\` is now \`charge.amount_minor\` (with \`charge.currency\`).

Ask #billing-platform for help with the migration.`,
    domain: "billing",
    tags: ["billing", "cdr", "legacy", "deprecated"],
    classification: "confidential",
    team: "billing-platform",
    sourceTopic: "telco.billing.cdr.v1",
    contactEmail: "billing-platform@meridian.demo",
    status: "deprecated",
    sunsetInDays: 60,
    contract: {
      version: "1.4.2",
      freshnessSlaSeconds: 900,
      availabilityTarget: "99.0%",
      retentionHours: 168,
      purposes: ["billing", "revenue-assurance"],
      prohibitedUses: ["marketing"],
      fields: [
        f("id", "string", "none", "Record id.", req),
        f("msisdn", "string", "direct", "Charged party.", req),
        f("type", "string", "none", "Usage type.", { enum: ["voice", "sms", "data"] }),
        f("duration", "integer", "none", "Duration in seconds.", { minimum: 0 }),
        f("amount", "integer", "none", "Amount in euro cents."),
        f("ts", "string", "none", "Start time.", { format: "date-time" }),
      ],
      qualityRules: [{ id: "id-present", kind: "required", field: "id", params: {} }],
    },
    example: { id: "CDR-1-88812", msisdn: "+4917612121212", type: "sms", duration: 0, amount: 9, ts: "2026-11-21T17:59:02Z" },
    tiers: ["internal"],
    plans: [freeInternal()],
  },
];
