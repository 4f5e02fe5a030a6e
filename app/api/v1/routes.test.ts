import { describe, expect, it } from "vitest";

/** The catch-all and wrong methods answer in the API's JSON error shape, with a request id. */
const rest = await import("./[...rest]/route");
const catalog = await import("./catalog/route");
const subscriptions = await import("./subscriptions/route");
const openapi = await import("./openapi.json/route");

const ctx = { params: Promise.resolve({}) };

describe("/api/v1 outside its operations", () => {
  it("an unknown path is a JSON 404 with the request id", async () => {
    const res = await rest.GET(new Request("http://localhost/api/v1/nope", { headers: { "x-request-id": "req-404-test" } }));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(res.headers.get("x-request-id")).toBe("req-404-test");
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "No API operation at GET /api/v1/nope. See /api/v1/openapi.json." },
      requestId: "req-404-test",
    });
    const post = await rest.POST(new Request("http://localhost/api/v1/nope", { method: "POST" }));
    const body = await post.json();
    expect(body.requestId).toBe(post.headers.get("x-request-id"));
  });

  it("a wrong method on an existing path is a JSON 405 naming the allowed methods", async () => {
    const res = await catalog.POST(new Request("http://localhost/api/v1/catalog", { method: "POST", body: "{}" }), ctx);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    const body = await res.json();
    expect(body.error.code).toBe("method_not_allowed");
    expect(body.error.message).toMatch(/POST is not allowed here; use GET/);
    expect(body.requestId).toBe(res.headers.get("x-request-id"));

    const del = await subscriptions.DELETE(new Request("http://localhost/api/v1/subscriptions", { method: "DELETE" }), ctx);
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, POST");
    expect((await openapi.PUT(new Request("http://localhost/api/v1/openapi.json", { method: "PUT" }), ctx)).status).toBe(405);
  });
});
