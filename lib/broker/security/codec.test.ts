import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { CreateAcls, DeleteAcls, DescribeAcls } from "../protocol/apis/acls";
import { AlterUserScramCredentials, DescribeUserScramCredentials } from "../protocol/apis/scram-credentials";
import { Reader, Writer } from "../protocol/primitives";
import { compile, type MessageSchema } from "../protocol/schema";

/**
 * The security APIs' schemas checked against independent encoders: kafkajs's own ACL request
 * encoders and response decoders (v0 and v1), and hand-assembled KIP-554 bytes for APIs 50/51,
 * which kafkajs cannot produce.
 */

const require = createRequire(import.meta.url);

async function kafkajsRequest(path: string, args: unknown): Promise<Buffer> {
  const make = require(`kafkajs/src/protocol/requests/${path}/request.js`);
  return (await make(args).encode()).buffer as Buffer;
}

async function kafkajsDecode(path: string, bytes: Buffer): Promise<Record<string, unknown>> {
  const { decode } = require(`kafkajs/src/protocol/requests/${path}/response.js`);
  return decode(bytes);
}

function encode(schema: MessageSchema, version: number, value: Record<string, unknown>): Buffer {
  const w = new Writer(8);
  compile(schema, version).encode(w, value);
  return w.toBuffer();
}

function decode(schema: MessageSchema, version: number, bytes: Buffer): Record<string, unknown> {
  const r = new Reader(bytes);
  const out = compile(schema, version).decode(r);
  expect(r.remaining()).toBe(0);
  return out;
}

const creation = {
  resourceType: 2,
  resourceName: "orders",
  resourcePatternType: 4,
  principal: "User:alice",
  host: "*",
  operation: 3,
  permissionType: 3,
};
const filter = {
  resourceType: 2,
  resourceName: null,
  resourcePatternType: 2,
  principal: "User:alice",
  host: null,
  operation: 1,
  permissionType: 1,
};

describe("ACL API schemas against kafkajs", () => {
  for (const v of [0, 1]) {
    it(`CreateAcls v${v}: decodes kafkajs's request; v0 defaults the pattern to LITERAL`, async () => {
      const bytes = await kafkajsRequest(`createAcls/v${v}`, { creations: [creation] });
      const body = decode(CreateAcls.request, v, bytes);
      expect(body.creations).toEqual([
        {
          resourceType: 2,
          resourceName: "orders",
          resourcePatternType: v === 0 ? 3 : 4,
          principal: "User:alice",
          host: "*",
          operation: 3,
          permissionType: 3,
        },
      ]);
    });

    it(`DescribeAcls v${v}: request and response round-trip through kafkajs`, async () => {
      const bytes = await kafkajsRequest(`describeAcls/v${v}`, filter);
      expect(decode(DescribeAcls.request, v, bytes)).toEqual({
        resourceTypeFilter: 2,
        resourceNameFilter: null,
        patternTypeFilter: v === 0 ? 3 : 2,
        principalFilter: "User:alice",
        hostFilter: null,
        operation: 1,
        permissionType: 1,
      });
      const response = encode(DescribeAcls.response, v, {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        resources: [
          {
            resourceType: 2,
            resourceName: "sales.",
            patternType: 4,
            acls: [{ principal: "User:*", host: "*", operation: 3, permissionType: 3 }],
          },
        ],
      });
      const parsed = await kafkajsDecode(`describeAcls/v${v}`, response);
      expect(parsed.resources).toEqual([
        {
          resourceType: 2,
          resourceName: "sales.",
          ...(v === 1 ? { resourcePatternType: 4 } : {}),
          acls: [{ principal: "User:*", host: "*", operation: 3, permissionType: 3 }],
        },
      ]);
    });

    it(`DeleteAcls v${v}: request and response round-trip through kafkajs`, async () => {
      const bytes = await kafkajsRequest(`deleteAcls/v${v}`, { filters: [filter] });
      expect((decode(DeleteAcls.request, v, bytes).filters as unknown[]).length).toBe(1);
      const response = encode(DeleteAcls.response, v, {
        throttleTimeMs: 0,
        filterResults: [
          {
            errorCode: 0,
            errorMessage: null,
            matchingAcls: [{ errorCode: 0, errorMessage: null, ...creation, patternType: 4 }],
          },
        ],
      });
      const parsed = (await kafkajsDecode(`deleteAcls/v${v}`, response)) as {
        filterResponses: { matchingAcls: Record<string, unknown>[] }[];
      };
      expect(parsed.filterResponses[0].matchingAcls[0]).toMatchObject({
        resourceName: "orders",
        principal: "User:alice",
        operation: 3,
        ...(v === 1 ? { resourcePatternType: 4 } : {}),
      });
    });
  }
});

describe("SCRAM credential API schemas (KIP-554, flexible v0)", () => {
  it("DescribeUserScramCredentials request: compact nullable array of users, tagged fields", () => {
    // users = [{name:"al"}]: array length 1+1, string length 2+1, "al", struct tags 0, body tags 0
    const expected = Buffer.from([0x02, 0x03, 0x61, 0x6c, 0x00, 0x00]);
    expect(encode(DescribeUserScramCredentials.request, 0, { users: [{ name: "al" }] })).toEqual(expected);
    expect(decode(DescribeUserScramCredentials.request, 0, expected)).toEqual({ users: [{ name: "al" }] });
    // null = describe everyone: compact length 0
    expect(encode(DescribeUserScramCredentials.request, 0, { users: null })).toEqual(Buffer.from([0x00, 0x00]));
  });

  it("DescribeUserScramCredentials response layout", () => {
    const bytes = encode(DescribeUserScramCredentials.response, 0, {
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      results: [{ user: "al", errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 2, iterations: 4096 }] }],
    });
    expect(bytes).toEqual(
      Buffer.from([
        0, 0, 0, 0, // throttle
        0, 0, // error
        0x00, // null message
        0x02, // one result
        0x03, 0x61, 0x6c, // "al"
        0, 0, // error
        0x00, // null message
        0x02, // one credential info
        0x02, // SCRAM-SHA-512
        0, 0, 0x10, 0, // 4096
        0x00, // info tags
        0x00, // result tags
        0x00, // body tags
      ]),
    );
  });

  it("AlterUserScramCredentials request layout", () => {
    const value = {
      deletions: [{ name: "x", mechanism: 1 }],
      upsertions: [{ name: "y", mechanism: 2, iterations: 8192, salt: Buffer.from([1, 2]), saltedPassword: Buffer.from([3]) }],
    };
    const bytes = encode(AlterUserScramCredentials.request, 0, value);
    expect(bytes).toEqual(
      Buffer.from([
        0x02, 0x02, 0x78, 0x01, 0x00, // deletions: [ "x", 1, tags ]
        0x02, 0x02, 0x79, 0x02, 0, 0, 0x20, 0, 0x03, 1, 2, 0x02, 3, 0x00, // upsertions
        0x00, // body tags
      ]),
    );
    expect(decode(AlterUserScramCredentials.request, 0, bytes)).toEqual(value);
  });
});
