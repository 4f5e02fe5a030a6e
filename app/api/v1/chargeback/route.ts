import { chargebackEndpoint } from "@/lib/api/endpoints";
import { serve } from "@/lib/api/serve";

export const dynamic = "force-dynamic";
export const GET = serve(chargebackEndpoint);
