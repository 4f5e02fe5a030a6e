import { productUsageEndpoint } from "@/lib/api/endpoints";
import { apiRoute } from "@/lib/api/serve";

export const dynamic = "force-dynamic";
// Methods without an endpoint answer a JSON 405 (lib/api/serve.ts).
export const { GET, POST, PUT, PATCH, DELETE } = apiRoute(productUsageEndpoint);
