import type { Metadata } from "next";
import Link from "next/link";
import { AcceptInviteForm } from "@/components/auth/accept-invite-form";
import { Alert, Card, CardBody } from "@/components/ui";
import { getDb } from "@/db/client";
import { lookupInvitation, type InvitationStatus } from "@/lib/auth/invitations";
import { getSessionUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Accept invitation", referrer: "no-referrer", robots: { index: false } };

const refusals: Record<Exclude<InvitationStatus, "valid">, { title: string; body: string }> = {
  not_found: { title: "This invitation link is not valid", body: "Check that you copied the whole link, or ask an administrator for a new one." },
  used: { title: "This invitation has already been used", body: "Sign in with the account it created." },
  revoked: { title: "This invitation was revoked", body: "Ask an administrator for a new one." },
  expired: { title: "This invitation has expired", body: "Invitations are valid for 7 days. Ask an administrator for a new one." },
};

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const view = await lookupInvitation(getDb(), token);
  const current = await getSessionUser();
  const refusal = view.status === "valid" && view.invitation ? null : refusals[view.status === "valid" ? "not_found" : view.status];
  return (
    <main className="mx-auto w-full max-w-md px-6 py-16">
      <h1 className="text-2xl font-semibold text-slate-900">Join Tributary</h1>
      {!refusal && view.invitation ? (
        <>
          <p className="mt-2 text-sm text-slate-600">
            You are invited to <strong>{view.invitation.orgName}</strong>
            {view.invitation.teamName ? (
              <>
                {" "}
                as a member of <strong>{view.invitation.teamName}</strong>
              </>
            ) : null}
            . Choose your name and a password.
          </p>
          {current && (
            <Alert tone="warning" className="mt-4">
              You are signed in as {current.email}. Accepting signs you in as {view.invitation.email} instead.
            </Alert>
          )}
          <Card className="mt-8">
            <CardBody className="py-6">
              <AcceptInviteForm token={token} email={view.invitation.email} />
            </CardBody>
          </Card>
        </>
      ) : (
        <div className="mt-8 space-y-4">
          <Alert tone="error" title={refusal?.title}>
            {refusal?.body}
          </Alert>
          <Link href="/sign-in" className="text-sm font-medium text-brand-700 hover:underline">
            Go to sign in
          </Link>
        </div>
      )}
    </main>
  );
}
