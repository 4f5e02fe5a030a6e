import { createExportHandler } from "@/lib/exports/handler";

/** The product as an AsyncAPI 3.0.0 document (delivery topics as channels); ?download=1 for a file. */
export const GET = createExportHandler("asyncapi");
