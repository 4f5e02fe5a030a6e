import { buttonClasses } from "@/components/ui/button";

/**
 * "Manage billing": a plain form posting to /api/stripe/portal, which answers 303 to the Stripe
 * customer portal of the signed-in user's organization (invoices, payment method). Works without
 * JavaScript. Render it only for members of an external organization while Stripe is configured.
 */
export function ManageBillingButton({ className = "" }: { className?: string }) {
  return (
    <form action="/api/stripe/portal" method="post" className={className}>
      <button
        type="submit"
        className={buttonClasses("secondary", "sm")}
        aria-describedby="manage-billing-hint"
      >
        Manage billing
      </button>
      <span id="manage-billing-hint" className="sr-only">
        Opens the Stripe billing portal for your organization: invoices and payment method.
      </span>
    </form>
  );
}
