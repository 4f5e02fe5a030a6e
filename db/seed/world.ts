/**
 * The demo world's organizations, cost centers, teams and people. The five demo logins are part
 * of the project's documented interface (README, e2e); keep them stable.
 */
export const DEMO_PASSWORD = "tributary-demo";

export const DEMO_LOGINS = {
  admin: "admin@demo.tributary",
  finance: "finance@demo.tributary",
  owner: "owner@demo.tributary",
  consumer: "consumer@demo.tributary",
  partner: "partner@mvno.demo",
} as const;

/** The operator's org slug; its presence means the demo world is already seeded. */
export const DEMO_ORG_SLUG = "meridian-telecom";

export type OrgSeed = { slug: string; name: string; kind: "internal" | "external"; billingEmail?: string };
export type CostCenterSeed = { code: string; name: string; org: string };
export type TeamSeed = { slug: string; name: string; org: string; costCenter?: string; contactEmail: string };
export type UserSeed = {
  email: string;
  name: string;
  org: string;
  roles: ("admin" | "finance")[];
  teams: { team: string; role: "member" | "owner" }[];
};

export const ORGS: OrgSeed[] = [
  { slug: DEMO_ORG_SLUG, name: "Meridian Telecom", kind: "internal" },
  { slug: "voltaris-energy-trading", name: "Voltaris Energy Trading", kind: "internal" },
  { slug: "northbank", name: "Northbank", kind: "internal" },
  { slug: "nimbus-mobile", name: "Nimbus Mobile", kind: "external", billingEmail: "accounts-payable@nimbus-mobile.demo" },
  { slug: "orbit-connect", name: "Orbit Connect", kind: "external", billingEmail: "billing@orbit-connect.demo" },
];

export const COST_CENTERS: CostCenterSeed[] = [
  { code: "CC-1010", name: "Network Engineering", org: DEMO_ORG_SLUG },
  { code: "CC-1020", name: "Security & Risk", org: DEMO_ORG_SLUG },
  { code: "CC-1030", name: "IT Billing Systems", org: DEMO_ORG_SLUG },
  { code: "CC-1040", name: "Enterprise & IoT", org: DEMO_ORG_SLUG },
  { code: "CC-1050", name: "Customer Operations", org: DEMO_ORG_SLUG },
  { code: "CC-1090", name: "Platform & Data Office", org: DEMO_ORG_SLUG },
  { code: "CC-2010", name: "Power Trading", org: "voltaris-energy-trading" },
  { code: "CC-2020", name: "Grid Analytics", org: "voltaris-energy-trading" },
  { code: "CC-3010", name: "Payments Technology", org: "northbank" },
  { code: "CC-3020", name: "Financial Crime Compliance", org: "northbank" },
];

export const TEAMS: TeamSeed[] = [
  { slug: "network-analytics", name: "Network Analytics", org: DEMO_ORG_SLUG, costCenter: "CC-1010", contactEmail: "network-analytics@meridian.demo" },
  { slug: "fraud-security", name: "Fraud & Security", org: DEMO_ORG_SLUG, costCenter: "CC-1020", contactEmail: "fraud-ops@meridian.demo" },
  { slug: "billing-platform", name: "Billing Platform", org: DEMO_ORG_SLUG, costCenter: "CC-1030", contactEmail: "billing-platform@meridian.demo" },
  { slug: "iot-platform", name: "IoT Platform", org: DEMO_ORG_SLUG, costCenter: "CC-1040", contactEmail: "iot@meridian.demo" },
  { slug: "customer-care", name: "Customer Care", org: DEMO_ORG_SLUG, costCenter: "CC-1050", contactEmail: "care-insights@meridian.demo" },
  { slug: "data-platform", name: "Data Platform", org: DEMO_ORG_SLUG, costCenter: "CC-1090", contactEmail: "data-platform@meridian.demo" },
  { slug: "energy-trading-desk", name: "Energy Trading Desk", org: "voltaris-energy-trading", costCenter: "CC-2010", contactEmail: "desk@voltaris.demo" },
  { slug: "grid-analytics", name: "Grid Analytics", org: "voltaris-energy-trading", costCenter: "CC-2020", contactEmail: "grid-analytics@voltaris.demo" },
  { slug: "payments-engineering", name: "Payments Engineering", org: "northbank", costCenter: "CC-3010", contactEmail: "payments-eng@northbank.demo" },
  { slug: "financial-crime", name: "Financial Crime", org: "northbank", costCenter: "CC-3020", contactEmail: "fincrime@northbank.demo" },
  { slug: "nimbus-partner-integrations", name: "Partner Integrations", org: "nimbus-mobile", contactEmail: "integrations@nimbus-mobile.demo" },
  { slug: "orbit-wholesale-analytics", name: "Wholesale Analytics", org: "orbit-connect", contactEmail: "analytics@orbit-connect.demo" },
];

export const USERS: UserSeed[] = [
  { email: DEMO_LOGINS.admin, name: "Ada Lindqvist", org: DEMO_ORG_SLUG, roles: ["admin"], teams: [{ team: "data-platform", role: "owner" }] },
  { email: DEMO_LOGINS.finance, name: "Farid Haddad", org: DEMO_ORG_SLUG, roles: ["finance"], teams: [] },
  {
    email: DEMO_LOGINS.owner,
    name: "Olivia Brandt",
    org: DEMO_ORG_SLUG,
    roles: [],
    teams: [
      { team: "network-analytics", role: "owner" },
      { team: "fraud-security", role: "owner" },
    ],
  },
  { email: DEMO_LOGINS.consumer, name: "Chen Wei", org: DEMO_ORG_SLUG, roles: [], teams: [{ team: "customer-care", role: "member" }] },
  { email: DEMO_LOGINS.partner, name: "Priya Nair", org: "nimbus-mobile", roles: [], teams: [{ team: "nimbus-partner-integrations", role: "member" }] },
  { email: "billing-lead@demo.tributary", name: "Bastien Moreau", org: DEMO_ORG_SLUG, roles: [], teams: [{ team: "billing-platform", role: "owner" }] },
  { email: "iot-lead@demo.tributary", name: "Ines Carvalho", org: DEMO_ORG_SLUG, roles: [], teams: [{ team: "iot-platform", role: "owner" }] },
  { email: "care-lead@demo.tributary", name: "Kwame Mensah", org: DEMO_ORG_SLUG, roles: [], teams: [{ team: "customer-care", role: "owner" }] },
  {
    email: "trading-lead@demo.tributary",
    name: "Elena Petrova",
    org: "voltaris-energy-trading",
    roles: [],
    teams: [
      { team: "energy-trading-desk", role: "owner" },
      { team: "grid-analytics", role: "owner" },
    ],
  },
  { email: "payments-lead@demo.tributary", name: "Marcus Okafor", org: "northbank", roles: [], teams: [{ team: "payments-engineering", role: "owner" }] },
  { email: "fincrime-lead@demo.tributary", name: "Sofia Rossi", org: "northbank", roles: [], teams: [{ team: "financial-crime", role: "owner" }] },
  { email: "analyst@demo.tributary", name: "Tomasz Nowak", org: DEMO_ORG_SLUG, roles: [], teams: [{ team: "network-analytics", role: "member" }] },
  { email: "partner@orbit.demo", name: "Lena Vogel", org: "orbit-connect", roles: [], teams: [{ team: "orbit-wholesale-analytics", role: "member" }] },
];
