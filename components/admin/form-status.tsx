import { Alert } from "@/components/ui";

/** The outcome line under an admin form: an error (announced) or a success message. */
export function FormStatus({ error, message }: { error: string | null; message: string | null }) {
  if (error) return <Alert tone="error">{error}</Alert>;
  if (message) return <Alert tone="success">{message}</Alert>;
  return null;
}
