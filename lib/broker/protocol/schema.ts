import { ProtocolError, Reader, Writer } from "./primitives";

/**
 * A declarative description of Kafka messages, in the shape of Apache Kafka's own JSON message
 * descriptors: each field names its type and the versions it exists in; a message names its
 * valid and flexible (KIP-482) versions. `compile()` turns a field list plus a version into a
 * decoder and an encoder once, so the per-request cost is a walk over prepared closures.
 *
 * Versions are written as in the Kafka descriptors: "0+", "3+", "1-4", "2" or "none".
 */

export type Primitive =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint32"
  | "float64"
  | "bool"
  | "string"
  | "bytes"
  | "uuid"
  /** Record batches: nullable bytes on the wire; decoded as a Buffer, encoded from Buffer | Buffer[]. */
  | "records";

export type FieldType = Primitive | { array: FieldType } | { struct: Field[] };

export interface Field {
  name: string;
  type: FieldType;
  /** Versions in which the field is on the wire. Default "0+". */
  versions?: string;
  /** Versions in which the field may be null (strings, bytes, arrays, records). */
  nullable?: string;
  /** Value used when the field is absent in a version (decode) or missing in the object (encode). */
  default?: unknown;
  /** Tagged field number (KIP-482); tagged fields only exist in flexible versions. */
  tag?: number;
}

export interface MessageSchema {
  /** Versions of this message the broker implements. */
  validVersions: string;
  /** First flexible version, as a range ("9+") or "none". */
  flexibleVersions: string;
  fields: Field[];
}

export interface ApiSchema {
  apiKey: number;
  name: string;
  request: MessageSchema;
  response: MessageSchema;
}

export function arr(of: FieldType | Field[]): FieldType {
  return { array: Array.isArray(of) ? { struct: of } : of };
}

export function parseRange(spec: string): [number, number] {
  if (spec === "none") return [1, 0];
  if (spec.endsWith("+")) return [Number(spec.slice(0, -1)), Number.MAX_SAFE_INTEGER];
  const [a, b] = spec.split("-");
  return b === undefined ? [Number(a), Number(a)] : [Number(a), Number(b)];
}

export function inRange(spec: string | undefined, v: number): boolean {
  if (spec === undefined) return true;
  const [lo, hi] = parseRange(spec);
  return v >= lo && v <= hi;
}

export interface Codec<T = Record<string, unknown>> {
  decode(r: Reader): T;
  encode(w: Writer, value: T): void;
}

type Dec = (r: Reader) => unknown;
type Enc = (w: Writer, v: unknown) => void;

function defaultFor(type: FieldType, nullable: boolean): unknown {
  if (nullable) return null;
  if (typeof type === "object") return "array" in type ? [] : {};
  switch (type) {
    case "int64":
      return 0n;
    case "bool":
      return false;
    case "string":
      return "";
    case "bytes":
    case "records":
      return Buffer.alloc(0);
    case "uuid":
      return "0".repeat(32);
    default:
      return 0;
  }
}

function compileType(type: FieldType, version: number, flexible: boolean, nullable: boolean): [Dec, Enc] {
  if (typeof type === "object") {
    if ("struct" in type) {
      const c = compileFields(type.struct, version, flexible);
      return [(r) => c.decode(r), (w, v) => c.encode(w, (v ?? {}) as Record<string, unknown>)];
    }
    const [dItem, eItem] = compileType(type.array, version, flexible, false);
    const dec: Dec = (r) => {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) {
        if (!nullable) throw new ProtocolError("null array in a non-nullable field");
        return null;
      }
      if (n > r.remaining()) throw new ProtocolError(`array length ${n} exceeds frame`);
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = dItem(r);
      return out;
    };
    const enc: Enc = (w, v) => {
      if (v === null || v === undefined) {
        if (flexible) w.uvarint(0);
        else w.int32(nullable ? -1 : 0);
        return;
      }
      const a = v as unknown[];
      if (flexible) w.uvarint(a.length + 1);
      else w.int32(a.length);
      for (const item of a) eItem(w, item);
    };
    return [dec, enc];
  }
  switch (type) {
    case "int8":
      return [(r) => r.int8(), (w, v) => w.int8((v as number) ?? 0)];
    case "int16":
      return [(r) => r.int16(), (w, v) => w.int16((v as number) ?? 0)];
    case "int32":
      return [(r) => r.int32(), (w, v) => w.int32((v as number) ?? 0)];
    case "uint32":
      return [(r) => r.uint32(), (w, v) => w.uint32((v as number) ?? 0)];
    case "int64":
      return [(r) => r.int64(), (w, v) => w.int64((v as bigint | number) ?? 0n)];
    case "float64":
      return [(r) => r.float64(), (w, v) => w.float64((v as number) ?? 0)];
    case "bool":
      return [(r) => r.bool(), (w, v) => w.bool(Boolean(v))];
    case "uuid":
      return [(r) => r.uuid(), (w, v) => w.uuid((v as string) ?? "")];
    case "string": {
      const dec: Dec = flexible ? (r) => r.compactNullableString() : (r) => r.nullableString();
      const check: Dec = nullable
        ? dec
        : (r) => {
            const s = dec(r);
            if (s === null) throw new ProtocolError("null in a non-nullable string");
            return s;
          };
      const enc: Enc = flexible
        ? (w, v) => w.compactNullableString(v === undefined ? (nullable ? null : "") : (v as string | null))
        : (w, v) => w.nullableString(v === undefined ? (nullable ? null : "") : (v as string | null));
      return [check, enc];
    }
    case "bytes":
    case "records": {
      const dec: Dec = flexible ? (r) => r.compactNullableBytes() : (r) => r.nullableBytes();
      const check: Dec =
        nullable || type === "records"
          ? dec
          : (r) => {
              const b = dec(r);
              if (b === null) throw new ProtocolError("null in non-nullable bytes");
              return b;
            };
      const enc: Enc = flexible
        ? (w, v) => w.compactNullableBytes(v === undefined ? (nullable ? null : Buffer.alloc(0)) : (v as Buffer | null))
        : (w, v) => w.nullableBytes(v === undefined ? (nullable ? null : Buffer.alloc(0)) : (v as Buffer | null));
      return [check, enc];
    }
  }
}

function compileFields(fields: Field[], version: number, flexible: boolean): Codec {
  const present: { name: string; dec: Dec; enc: Enc; def: unknown }[] = [];
  const absent: { name: string; def: unknown }[] = [];
  const tagged = new Map<number, { name: string; dec: Dec; enc: Enc; def: unknown }>();
  for (const f of fields) {
    const nullable = inRange(f.nullable ?? "none", version);
    const def = f.default !== undefined ? f.default : defaultFor(f.type, nullable);
    if (!inRange(f.versions ?? "0+", version)) {
      absent.push({ name: f.name, def });
      continue;
    }
    const [dec, enc] = compileType(f.type, version, flexible, nullable);
    if (f.tag !== undefined) {
      if (flexible) tagged.set(f.tag, { name: f.name, dec, enc, def });
      else absent.push({ name: f.name, def });
      continue;
    }
    present.push({ name: f.name, dec, enc, def });
  }
  const tags = [...tagged.entries()].sort((a, b) => a[0] - b[0]);

  return {
    decode(r) {
      const out: Record<string, unknown> = {};
      for (const a of absent) out[a.name] = a.def;
      for (const p of present) out[p.name] = p.dec(r);
      if (flexible) {
        for (const [, t] of tags) out[t.name] = t.def;
        const n = r.uvarint();
        for (let i = 0; i < n; i++) {
          const tag = r.uvarint();
          const size = r.uvarint();
          const t = tagged.get(tag);
          if (t) {
            const sub = new Reader(r.buf, r.pos, r.pos + size);
            out[t.name] = t.dec(sub);
          }
          r.raw(size);
        }
      }
      return out;
    },
    encode(w, value) {
      for (const p of present) {
        const v = value[p.name];
        p.enc(w, v === undefined ? p.def : v);
      }
      if (flexible) {
        const toWrite = tags.filter(([, t]) => value[t.name] !== undefined && value[t.name] !== t.def);
        w.uvarint(toWrite.length);
        for (const [tag, t] of toWrite) {
          const sub = new Writer(64);
          t.enc(sub, value[t.name]);
          const bytes = sub.toBuffer();
          w.uvarint(tag).uvarint(bytes.length).raw(bytes);
        }
      }
    },
  };
}

const cache = new WeakMap<MessageSchema, Map<number, Codec>>();

/** The codec of one message at one version (memoised). */
export function compile(schema: MessageSchema, version: number): Codec {
  let byVersion = cache.get(schema);
  if (!byVersion) {
    byVersion = new Map();
    cache.set(schema, byVersion);
  }
  let c = byVersion.get(version);
  if (!c) {
    if (!inRange(schema.validVersions, version)) throw new ProtocolError(`version ${version} not valid`);
    c = compileFields(schema.fields, version, isFlexible(schema, version));
    byVersion.set(version, c);
  }
  return c;
}

export function isFlexible(schema: MessageSchema, version: number): boolean {
  return inRange(schema.flexibleVersions, version);
}

export function versionRange(schema: MessageSchema): [number, number] {
  return parseRange(schema.validVersions);
}
