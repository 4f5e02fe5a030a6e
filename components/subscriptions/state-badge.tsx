import { Badge, type BadgeTone } from "@/components/ui";

const stateTone: Record<string, BadgeTone> = {
  requested: "amber",
  provisioning: "brand",
  active: "green",
  suspended: "orange",
  failed: "red",
  revoked: "neutral",
  expired: "neutral",
};

const stateLabel: Record<string, string> = {
  requested: "Requested",
  provisioning: "Provisioning",
  active: "Active",
  suspended: "Suspended",
  failed: "Failed",
  revoked: "Ended",
  expired: "Expired",
};

/** A subscription's state as the consumer reads it ("revoked" covers cancel and revoke: "Ended"). */
export function SubscriptionStateBadge({ state }: { state: string }) {
  return (
    <Badge tone={stateTone[state] ?? "neutral"} data-testid="subscription-state">
      {stateLabel[state] ?? state}
    </Badge>
  );
}

/** States the worker is still moving: the page polls while one is shown. */
export function isSettling(state: string): boolean {
  return state === "provisioning" || state === "requested";
}

/** A timestamp as people compare it with the server's: minutes, in UTC. */
export function formatUtc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
