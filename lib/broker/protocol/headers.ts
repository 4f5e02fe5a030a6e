import { ProtocolError, Reader, Writer } from "./primitives";

/**
 * Request header v0 = api key, api version, correlation id; v1 adds the client id (always an
 * int16-length nullable string, even in v2); v2 (flexible requests) adds a tagged-field section.
 * Response header v0 = correlation id; v1 (flexible responses) adds tagged fields, except that
 * ApiVersions responses always use v0 (KIP-511) so old clients can read the error code.
 */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the fixed part every request starts with. */
export function readRequestHeaderStart(r: Reader): Omit<RequestHeader, "clientId"> {
  if (r.remaining() < 8) throw new ProtocolError("frame shorter than a request header");
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32() };
}

/** Reads the client id and, for header v2, skips the tagged fields. */
export function readRequestHeaderRest(r: Reader, flexible: boolean): string | null {
  const clientId = r.nullableString();
  if (flexible) {
    const n = r.uvarint();
    for (let i = 0; i < n; i++) {
      r.uvarint();
      r.raw(r.uvarint());
    }
  }
  return clientId;
}

export function writeRequestHeader(w: Writer, h: RequestHeader, flexible: boolean): void {
  w.int16(h.apiKey).int16(h.apiVersion).int32(h.correlationId).nullableString(h.clientId);
  if (flexible) w.uvarint(0);
}

export function writeResponseHeader(w: Writer, correlationId: number, headerV1: boolean): void {
  w.int32(correlationId);
  if (headerV1) w.uvarint(0);
}

export function responseHeaderIsV1(apiKey: number, flexible: boolean): boolean {
  return flexible && apiKey !== 18;
}
