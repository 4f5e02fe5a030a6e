import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { Card, CardBody } from "@/components/ui";
import { getSessionUser } from "@/lib/auth/session";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Create an account" };

/** Exists only with ALLOW_SIGNUP on; otherwise a plain 404, as if there were no such page. */
export default async function SignUpPage() {
  if (!env().ALLOW_SIGNUP) notFound();
  if (await getSessionUser()) redirect("/catalog");
  return (
    <main className="mx-auto w-full max-w-md px-6 py-16">
      <h1 className="text-2xl font-semibold text-slate-900">Create a Tributary account</h1>
      <p className="mt-2 text-sm text-slate-600">
        For partners outside the company: you get your own organization and can subscribe to data products offered to external consumers.
      </p>
      <Card className="mt-8">
        <CardBody className="py-6">
          <SignUpForm />
        </CardBody>
      </Card>
      <p className="mt-6 text-sm text-slate-600">
        Already have an account?{" "}
        <Link href="/sign-in" className="font-medium text-brand-700 hover:underline">
          Sign in
        </Link>
      </p>
    </main>
  );
}
