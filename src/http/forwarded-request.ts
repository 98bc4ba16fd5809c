import type { FastifyRequest } from 'fastify';

/** Where a proxy says the request it is asking about was going; for the record, never for the decision. */
export interface ForwardedRequest {
  /** `http` or `https`, from X-Forwarded-Proto. */
  proto: 'http' | 'https' | undefined;
  method: string | undefined;
  host: string | undefined;
  uri: string | undefined;
}

// A host as browsers send it: a DNS name or IPv4 address, or a bracketed IPv6 one, and a port.
const HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]{2,45}\])(?::\d{1,5})?$/;
const METHOD = /^[A-Z]{1,16}$/;
const MAX_URI_LENGTH = 2048;
const NOTHING_FORWARDED: ForwardedRequest = {
  proto: undefined,
  method: undefined,
  host: undefined,
  uri: undefined,
};

const first = (value: string | string[] | undefined): string | undefined =>
  (Array.isArray(value) ? value[0] : value)?.split(',', 1)[0]?.trim();

/**
 * The original method, host and URI from the headers nginx (X-Original-URI), Traefik and Caddy
 * (X-Forwarded-Method/-Host/-Uri) pass. A value that is not what such a header holds is dropped,
 * so a client cannot write arbitrary text into Session Information through it. They are believed
 * only from a proxy TRUST_PROXY names (Fastify's `request.ips` then holds the hop it forwarded
 * for): anyone else with a cookie could make their session look used on any app.
 */
export function forwardedRequest(request: FastifyRequest): ForwardedRequest {
  if ((request.ips?.length ?? 0) < 2) return NOTHING_FORWARDED;
  const { headers } = request;
  const host = first(headers['x-forwarded-host'])?.toLowerCase();
  const method = first(headers['x-forwarded-method'])?.toUpperCase();
  // X-Forwarded-Uri first: Caddy and Traefik set it and pass a browser's X-Original-URI along.
  const uri = first(headers['x-forwarded-uri']) ?? first(headers['x-original-uri']);
  const proto = first(headers['x-forwarded-proto'])?.toLowerCase();
  return {
    proto: proto === 'http' || proto === 'https' ? proto : undefined,
    method: method && METHOD.test(method) ? method : undefined,
    host: host && HOST.test(host) ? host : undefined,
    uri: uri?.startsWith('/') ? uri.slice(0, MAX_URI_LENGTH) : undefined,
  };
}
