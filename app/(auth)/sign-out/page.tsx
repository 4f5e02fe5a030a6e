import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { Card, CardBody } from "@/components/ui";
import { getSessionUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Sign out" };

/** A confirmation page: signing out is a POST with a CSRF token, never a bare GET link. */
export default async function SignOutPage() {
  const user = await getSessionUser();
  if (!user) redirect("/sign-in");
  return (
    <main className="mx-auto w-full max-w-md px-6 py-16">
      <h1 className="text-2xl font-semibold text-slate-900">Sign out</h1>
      <Card className="mt-8">
        <CardBody className="space-y-4 py-6">
          <p className="text-sm text-slate-700">
            You are signed in as <strong>{user.email}</strong>.
          </p>
          <SignOutButton className="w-full" />
        </CardBody>
      </Card>
    </main>
  );
}
