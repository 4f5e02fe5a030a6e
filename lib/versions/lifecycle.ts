/**
 * The product lifecycle as a pure state machine: draft → published → deprecated → retired, plus
 * deprecated → published (the owner withdraws a deprecation before the sunset). Retired is
 * final: its subscriptions have ended and its delivery topics are no longer fed.
 */
export type ProductStatus = "draft" | "published" | "deprecated" | "retired";

export const LIFECYCLE: Record<ProductStatus, readonly ProductStatus[]> = {
  draft: ["published"],
  published: ["deprecated"],
  deprecated: ["published", "retired"],
  retired: [],
};

/** Why `from` → `to` is refused, in words for the owner; null when the move is allowed. */
export function transitionProblem(from: ProductStatus, to: ProductStatus): string | null {
  if (from === to) return `The product is already ${to}.`;
  if (LIFECYCLE[from].includes(to)) return null;
  if (from === "retired") return "A retired product is final: its subscriptions have ended. Publish a new product instead.";
  if (to === "draft") return "A product that has been published cannot go back to draft.";
  if (from === "draft") return "This product is still a draft: it was never published, so there is nothing to deprecate or retire.";
  if (from === "published" && to === "retired") {
    return "Deprecate the product first, with a sunset date, so its subscribers get notice before it is retired.";
  }
  return `A ${from} product cannot become ${to}.`;
}

export const DEFAULT_SUNSET_DAYS = 90;
const DAY_MS = 86_400_000;

export function defaultSunset(now: Date = new Date(), days = DEFAULT_SUNSET_DAYS): Date {
  return new Date(now.getTime() + days * DAY_MS);
}
