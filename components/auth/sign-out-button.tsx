"use client";

import { signOut } from "next-auth/react";
import { useState } from "react";
import { Button, type ButtonProps } from "@/components/ui";

export function SignOutButton({ children = "Sign out", ...rest }: Omit<ButtonProps, "onClick" | "loading">) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      {...rest}
      loading={pending}
      onClick={() => {
        setPending(true);
        void signOut({ callbackUrl: "/sign-in" });
      }}
    >
      {children}
    </Button>
  );
}
