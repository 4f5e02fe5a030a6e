import { createExportHandler } from "@/lib/exports/handler";

/** The product's current (or ?version=) contract as an ODCS v3 YAML document; ?download=1 for a file. */
export const GET = createExportHandler("odcs");
