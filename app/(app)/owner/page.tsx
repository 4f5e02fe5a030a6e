import { redirect } from "next/navigation";
import { requireRole } from "@/lib/auth/session";

/** The owner area has one page so far: the review queue. */
export default async function OwnerPage() {
  await requireRole("owner");
  redirect("/owner/requests");
}
