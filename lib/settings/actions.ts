"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { safeAction } from "@/lib/actions/safe-action";
import { formCheckbox } from "@/lib/actions/form";
import { setSetting } from "./service";

export const setPublicCatalogAction = safeAction(
  { schema: z.object({ publicCatalog: formCheckbox() }), role: "admin" },
  async (input, { user, db }) => {
    await setSetting(db, "public_catalog", input.publicCatalog, user);
    revalidatePath("/", "layout");
    return { publicCatalog: input.publicCatalog };
  },
);
