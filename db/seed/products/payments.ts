import { field as f } from "../contract";
import { flatMonthly, freeInternal, fullAccess, internalPerMillion } from "../plans";
import type { ProductSpec } from "../types";

const req = { required: true } as const;

export const PAYMENTS_PRODUCTS: ProductSpec[] = [
  {
    slug: "payment-events",
    name: "Payment Lifecycle Events",
    summary: "SEPA credit transfers and instant payments through every state from received to settled or returned.",
    description: `Northbank's payment hub emits an event each time a payment changes state. One payment produces
3-6 events; the key is \`payment.id\`, so a consumer sees a payment's events in order.

States: \`received\` -> \`screened\` -> \`authorised\` -> \`settled\`, or \`rejected\` / \`returned\`.

Consumers:

- payment operations dashboards (stuck payments, SLA of SCT Inst under 10 seconds);
- the fraud engine and Financial Crime's monitoring;
- finance reconciliation against the settlement account.

\`\`\`ts
consumer.run({ eachMessage: async ({ message }) => upsertPayment(JSON.parse(message.value!.toString())) });
\`\`\`

\`fees\` lists the charges on the payment (scheme fee, instant surcharge, FX margin) and who bears
each. \`screening.hits\` lists sanctions and PEP list entries the screening engine matched; the
matched names are hashed in the internal tier like the payer's and payee's.

IBANs are partially masked (last 4 characters) in the internal tier, names are hashed.`,
    domain: "payments",
    tags: ["payments", "sepa", "instant-payments", "banking", "transactions"],
    classification: "restricted",
    team: "payments-engineering",
    sourceTopic: "bank.payments.lifecycle.v1",
    contactEmail: "payments-eng@northbank.demo",
    status: "published",
    contract: {
      version: "3.0.1",
      freshnessSlaSeconds: 10,
      availabilityTarget: "99.99%",
      retentionHours: 2160,
      purposes: ["payment-processing", "fraud-prevention", "reconciliation"],
      prohibitedUses: ["marketing", "credit-scoring", "resale"],
      changelog: "3.0.1 documents the returned state. 3.0.0 split payer and payee objects.",
      fields: [
        f("payment.id", "string", "none", "End-to-end payment id.", req),
        f("payment.scheme", "string", "none", "Payment scheme.", { ...req, enum: ["SCT", "SCT_INST", "INTERNAL"] }),
        f("payment.state", "string", "none", "State after this event.", { ...req, enum: ["received", "screened", "authorised", "settled", "rejected", "returned"] }),
        f("payment.amount_minor", "integer", "none", "Amount in minor units.", { ...req, minimum: 1 }),
        f("payment.currency", "string", "none", "ISO 4217 currency.", { ...req, pattern: "^[A-Z]{3}$" }),
        f("payment.remittance_info", "string", "sensitive", "Free-text remittance information; may reveal health, religion or debts."),
        f("payer.iban", "string", "direct", "Payer IBAN.", { ...req, mask: { internal: { strategy: "partial", keepLast: 4 } } }),
        f("payer.name", "string", "direct", "Payer name."),
        f("payer.customer_id", "string", "direct", "Northbank customer id, when the payer is our customer."),
        f("payee.iban", "string", "direct", "Payee IBAN.", { mask: { internal: { strategy: "partial", keepLast: 4 } } }),
        f("payee.name", "string", "direct", "Payee name."),
        f("payee.bic", "string", "none", "Payee bank BIC."),
        f("occurred_at", "string", "none", "When the state changed (UTC).", { ...req, format: "date-time" }),
        f("reason_code", "string", "none", "ISO 20022 reason code for rejections and returns."),
        f("fees", "array", "none", "Charges applied to the payment."),
        f("fees[].type", "string", "none", "Kind of charge.", { ...req, enum: ["scheme", "instant_surcharge", "fx_margin", "correspondent"] }),
        f("fees[].amount_minor", "integer", "none", "Charge in minor units of fees[].currency.", { ...req, minimum: 0 }),
        f("fees[].currency", "string", "none", "ISO 4217 currency of the charge.", { ...req, pattern: "^[A-Z]{3}$" }),
        f("fees[].charged_to", "string", "none", "Who bears the charge (ISO 20022 charge bearer).", { enum: ["payer", "payee", "shared"] }),
        f("screening.outcome", "string", "none", "Sanctions screening result.", { enum: ["clear", "hit_released", "hit_blocked"] }),
        f("screening.hits", "array", "none", "List entries the screening engine matched, best match first."),
        f("screening.hits[].list", "string", "none", "Watch list of the entry.", { ...req, enum: ["EU", "UN", "OFAC", "UK_HMT", "PEP"] }),
        f("screening.hits[].matched_name", "string", "direct", "Name on the payment that matched the entry.", req),
        f("screening.hits[].score", "number", "none", "Match score, 0..1.", { minimum: 0, maximum: 1 }),
        f("screening.hits[].released_by", "string", "direct", "Employee id of the analyst who released the hit as a false positive."),
      ],
      qualityRules: [
        { id: "amount-positive", kind: "range", field: "payment.amount_minor", params: { min: 1 } },
        { id: "iban-format", kind: "pattern", field: "payer.iban", params: { pattern: "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$" } },
        { id: "state-known", kind: "enum", field: "payment.state", params: { values: ["received", "screened", "authorised", "settled", "rejected", "returned"] } },
      ],
    },
    example: {
      payment: { id: "NB20261121-000918273", scheme: "SCT_INST", state: "settled", amount_minor: 125000, currency: "EUR", remittance_info: "Invoice 2026-1187" },
      payer: { iban: "DE89370400440532013000", name: "Julia Schneider", customer_id: "NBC-5521903" },
      payee: { iban: "FR1420041010050500013M02606", name: "Atelier Lumière SARL", bic: "PSSTFRPPXXX" },
      occurred_at: "2026-11-21T18:40:33.120Z",
      fees: [
        { type: "scheme", amount_minor: 2, currency: "EUR", charged_to: "payer" },
        { type: "instant_surcharge", amount_minor: 25, currency: "EUR", charged_to: "payer" },
      ],
      screening: {
        outcome: "hit_released",
        hits: [{ list: "EU", matched_name: "Atelier Lumière SARL", score: 0.62, released_by: "EMP-20417" }],
      },
    },
    tiers: ["internal"],
    plans: [internalPerMillion(1500), fullAccess(100000)],
  },
  {
    slug: "card-authorisations",
    name: "Card Authorisations",
    summary: "Every debit and credit card authorisation decision in real time: merchant, amount, 3-D Secure, decision.",
    description: `Authorisation requests from the card networks and our issuer processor's decision, one record per
request. Tokens only: the card number (PAN) never leaves the PCI zone; \`card.token\` is the
network token.

Useful for:

- live fraud features (velocity per card token, merchant risk);
- decline analysis by reason and merchant category;
- customer notifications ("you spent EUR 42.10 at ...").

Card tokens and customer ids are hashed in the internal tier, device IPs are generalised to /24.`,
    domain: "payments",
    tags: ["payments", "cards", "authorisation", "pci", "fraud", "real-time"],
    classification: "restricted",
    team: "payments-engineering",
    sourceTopic: "bank.cards.authorisations.v2",
    contactEmail: "payments-eng@northbank.demo",
    status: "published",
    contract: {
      version: "2.0.0",
      freshnessSlaSeconds: 5,
      availabilityTarget: "99.99%",
      retentionHours: 720,
      purposes: ["fraud-prevention", "customer-notifications", "decline-analysis"],
      prohibitedUses: ["marketing", "credit-scoring"],
      fields: [
        f("auth.id", "string", "none", "Authorisation id.", req),
        f("auth.requested_at", "string", "none", "Request time (UTC).", { ...req, format: "date-time" }),
        f("auth.decision", "string", "none", "Decision.", { ...req, enum: ["approved", "declined", "referred"] }),
        f("auth.decline_reason", "string", "none", "Reason code when declined."),
        f("amount.minor", "integer", "none", "Amount in minor units of amount.currency.", { ...req, minimum: 0 }),
        f("amount.currency", "string", "none", "ISO 4217 currency.", { ...req, pattern: "^[A-Z]{3}$" }),
        f("card.token", "string", "direct", "Network token of the card (never the PAN).", req),
        f("card.product", "string", "none", "Card product.", { enum: ["debit", "credit", "prepaid"] }),
        f("cardholder.customer_id", "string", "direct", "Northbank customer id."),
        f("merchant.name", "string", "none", "Merchant name as sent by the acquirer."),
        f("merchant.mcc", "string", "none", "Merchant category code.", { pattern: "^[0-9]{4}$" }),
        f("merchant.country", "string", "none", "Merchant country (ISO 3166-1 alpha-2)."),
        f("channel.type", "string", "none", "Where the card was used.", { enum: ["pos", "ecommerce", "atm", "contactless"] }),
        f("channel.three_ds", "string", "none", "3-D Secure outcome.", { enum: ["frictionless", "challenge_passed", "challenge_failed", "not_applicable"] }),
        f("channel.device_ip", "string", "quasi", "IP address of the shopper's device (e-commerce).", { format: "ipv4" }),
      ],
      qualityRules: [
        { id: "mcc-format", kind: "pattern", field: "merchant.mcc", params: { pattern: "^[0-9]{4}$" } },
        { id: "decision-known", kind: "enum", field: "auth.decision", params: { values: ["approved", "declined", "referred"] } },
        { id: "fresh", kind: "max_age", field: "auth.requested_at", params: { seconds: 30 } },
      ],
    },
    example: {
      auth: { id: "AUTH-7f3e91c0", requested_at: "2026-11-21T18:42:05.881Z", decision: "approved" },
      amount: { minor: 4210, currency: "EUR" },
      card: { token: "tok_4000001234561111", product: "debit" },
      cardholder: { customer_id: "NBC-5521903" },
      merchant: { name: "CAFE KORNBLUME BERLIN", mcc: "5814", country: "DE" },
      channel: { type: "contactless", three_ds: "not_applicable" },
    },
    tiers: ["internal"],
    plans: [freeInternal(), flatMonthly(30000, "internal", { name: "High volume" }), fullAccess(150000)],
  },
  {
    slug: "aml-alerts",
    name: "AML Transaction Monitoring Alerts",
    summary: "Anti-money-laundering alerts from transaction monitoring, with risk rating, typology and case link.",
    description: `Alerts raised by Northbank's transaction-monitoring scenarios (structuring, rapid movement of funds,
mule patterns, high-risk jurisdictions) and the resulting case decisions.

Access is restricted to financial-crime functions. The suspected typology is **sensitive**: knowing
that a customer is under investigation can itself tip them off, which is an offence. It is only
visible in the full tier, and full-access requests need Financial Crime's approval.

Fields to know:

- \`alert.scenario\`: the monitoring scenario that fired;
- \`case.decision\`: empty until an investigator decides;
- \`subject.risk_rating\`: the customer's current KYC risk rating;
- \`related_accounts\`: the counterparties' accounts the flagged funds moved between, with the
  amount moved; IBANs keep their last 4 characters and holder names are hashed in the internal
  tier, so investigators can still see that two alerts share a counterparty.`,
    domain: "compliance",
    tags: ["aml", "compliance", "financial-crime", "kyc", "alerts", "regulatory"],
    classification: "restricted",
    team: "financial-crime",
    sourceTopic: "bank.compliance.aml-alerts.v1",
    contactEmail: "fincrime@northbank.demo",
    status: "published",
    contract: {
      version: "1.1.0",
      freshnessSlaSeconds: 3600,
      availabilityTarget: "99.5%",
      retentionHours: 43800,
      purposes: ["anti-money-laundering", "regulatory-reporting"],
      prohibitedUses: ["marketing", "credit-scoring", "sharing-outside-compliance"],
      fields: [
        f("alert.id", "string", "none", "Alert id.", req),
        f("alert.scenario", "string", "none", "Monitoring scenario.", { ...req, enum: ["structuring", "rapid_movement", "mule_pattern", "high_risk_jurisdiction", "unusual_cash"] }),
        f("alert.score", "number", "none", "Scenario score, 0..100.", { minimum: 0, maximum: 100 }),
        f("alert.raised_at", "string", "none", "When the alert was raised.", { ...req, format: "date-time" }),
        f("subject.customer_id", "string", "direct", "Customer under review.", req),
        f("subject.date_of_birth", "string", "quasi", "Customer's date of birth.", { format: "date" }),
        f("subject.nationality", "string", "quasi", "Nationality (ISO 3166-1 alpha-2)."),
        f("subject.risk_rating", "string", "none", "Current KYC risk rating.", { enum: ["low", "medium", "high"] }),
        f("finding.typology", "string", "sensitive", "Suspected money-laundering typology."),
        f("finding.first_transaction_id", "string", "none", "First payment that contributed to the alert."),
        f("finding.transaction_count", "integer", "none", "Payments that contributed to the alert.", { minimum: 1 }),
        f("finding.transaction_ids[]", "string", "none", "Every payment that contributed to the alert, oldest first."),
        f("related_accounts", "array", "none", "Counterparty accounts the flagged funds moved between."),
        f("related_accounts[].iban", "string", "direct", "Counterparty IBAN.", { ...req, mask: { internal: { strategy: "partial", keepLast: 4 } } }),
        f("related_accounts[].holder_name", "string", "direct", "Account holder as named on the payments."),
        f("related_accounts[].bank_country", "string", "none", "Country of the account's bank (ISO 3166-1 alpha-2)."),
        f("related_accounts[].direction", "string", "none", "Whether funds came from or went to the account.", { ...req, enum: ["inbound", "outbound"] }),
        f("related_accounts[].amount_minor", "integer", "none", "Total moved with this account in the alert window, EUR minor units.", { minimum: 0 }),
        f("case.id", "string", "none", "Investigation case, once opened."),
        f("case.decision", "string", "none", "Outcome of the investigation.", { enum: ["closed_no_action", "escalated", "sar_filed"] }),
      ],
      qualityRules: [
        { id: "score-range", kind: "range", field: "alert.score", params: { min: 0, max: 100 } },
        { id: "customer-present", kind: "required", field: "subject.customer_id", params: {} },
        { id: "related-iban-format", kind: "pattern", field: "related_accounts[].iban", params: { pattern: "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$" } },
      ],
    },
    example: {
      alert: { id: "AML-2026-0031877", scenario: "structuring", score: 78, raised_at: "2026-11-21T06:00:12Z" },
      subject: { customer_id: "NBC-7720114", date_of_birth: "1991-04-17", nationality: "DE", risk_rating: "medium" },
      finding: {
        typology: "cash deposits just below reporting threshold",
        first_transaction_id: "NB20261118-1",
        transaction_count: 3,
        transaction_ids: ["NB20261118-1", "NB20261119-7", "NB20261120-3"],
      },
      related_accounts: [
        { iban: "DE44500105175407324931", holder_name: "M. Kovac", bank_country: "DE", direction: "outbound", amount_minor: 2695000 },
        { iban: "LT601010012345678901", holder_name: "Baltic Goods UAB", bank_country: "LT", direction: "outbound", amount_minor: 1400000 },
      ],
    },
    tiers: ["internal"],
    plans: [freeInternal(), fullAccess(0)],
  },
];
