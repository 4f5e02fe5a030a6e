import { z } from "zod";
import { formArray } from "@/lib/actions/form";

const email = z
  .string({ error: "Enter your email address." })
  .trim()
  .min(1, "Enter your email address.")
  .max(320, "That email address is too long.")
  .pipe(z.email("Enter a valid email address."));

export const SignInSchema = z.object({
  email,
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024, "That password is too long."),
});

/** Lengths follow NIST 800-63B: at least 12 characters, long passphrases allowed. */
export const NewPasswordSchema = z
  .string({ error: "Choose a password." })
  .min(12, "Use at least 12 characters.")
  .max(256, "Use at most 256 characters.");

export const AcceptInvitationSchema = z
  .object({
    token: z.string({ error: "The invitation link is incomplete." }).min(1).max(200),
    name: z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(120, "Use at most 120 characters."),
    password: NewPasswordSchema,
    confirmPassword: z.string({ error: "Repeat the password." }),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match." });

export const InviteSchema = z.object({
  email,
  orgId: z.uuid({ error: "Choose an organization." }),
  teamId: z.uuid({ error: "Choose a team." }).optional(),
  teamRole: z.enum(["member", "owner"], { error: "Choose a team role." }).default("member"),
  roles: formArray(z.enum(["finance", "admin"], { error: "Unknown role." })),
});

export const RevokeInvitationSchema = z.object({ invitationId: z.uuid({ error: "Unknown invitation." }) });

export const SetUserDisabledSchema = z.object({ userId: z.uuid({ error: "Unknown user." }), disabled: z.boolean() });

export const SignUpSchema = z
  .object({
    name: z.string({ error: "Enter your name." }).trim().min(1, "Enter your name.").max(120, "Use at most 120 characters."),
    company: z.string({ error: "Enter your company." }).trim().min(2, "Enter your company.").max(120, "Use at most 120 characters."),
    email,
    password: NewPasswordSchema,
    confirmPassword: z.string({ error: "Repeat the password." }),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The passwords do not match." });
