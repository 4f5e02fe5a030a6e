import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { Card, CardBody } from "@/components/ui";
import { safeCallbackPath } from "@/lib/auth/callback-url";
import { getSessionUser } from "@/lib/auth/session";
import { env, oidcConfig } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const callbackUrl = safeCallbackPath(first(params.callbackUrl));
  if (await getSessionUser()) redirect(callbackUrl);
  const oidc = oidcConfig();
  return (
    <main className="mx-auto w-full max-w-md px-6 py-16">
      <h1 className="text-2xl font-semibold text-slate-900">Sign in to Tributary</h1>
      <p className="mt-2 text-sm text-slate-600">
        {env().ALLOW_SIGNUP ? (
          <>
            New here?{" "}
            <Link href="/sign-up" className="font-medium text-brand-700 hover:underline">
              Create an account
            </Link>
            .
          </>
        ) : (
          "Accounts are created by invitation. Ask an administrator if you need one."
        )}
      </p>
      <Card className="mt-8">
        <CardBody className="py-6">
          <SignInForm callbackUrl={callbackUrl} initialError={first(params.error) ?? null} oidcName={oidc?.name ?? null} />
        </CardBody>
      </Card>
    </main>
  );
}
