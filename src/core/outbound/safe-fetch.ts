import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Outbound HTTP GET for URLs that tenants configure (the CRM look-up, later webhooks), so an
 * API client can't use Patron to reach the network Patron runs in (SSRF: cloud metadata at
 * 169.254.169.254, the database, admin ports on localhost, other tenants' services).
 *
 * - Only http: and https:, only GET, no redirects: a 3xx comes back as `kind: 'redirect'` with
 *   its Location in the reason. Following one would need the whole check again for the new URL,
 *   and a CRM look-up has no reason to redirect; an error makes a misconfigured URL visible
 *   instead of a silent extra hop.
 * - The address check runs on the address the socket actually connects to: the check lives in
 *   the `lookup` function handed to Node's socket, so the same answer is checked and used (a DNS
 *   name that answers public first and 127.0.0.1 next, "rebinding", can't slip between them).
 *   If any address of the answer is not public, the request is refused, not retried on the rest.
 * - Every network-level failure is a result, never a throw: callers map them to 502/504.
 *
 * `allowHosts` (PATRON_OUTBOUND_ALLOW) lists exceptions: a hostname listed there may resolve to
 * anything; an IP listed there is accepted wherever it comes from (a literal or a DNS answer).
 */

export type SafeFetchErrorKind = 'refused' | 'timeout' | 'too_large' | 'unreachable' | 'redirect' | 'bad_url';

export type SafeFetchResult =
  | { ok: true; status: number; headers: http.IncomingHttpHeaders; body: string }
  | { ok: false; kind: SafeFetchErrorKind; reason: string };

/** Resolves a hostname to every address it has, like `dns.lookup(host, {all: true})`. */
export type Resolver = (hostname: string) => Promise<readonly dns.LookupAddress[]>;

export interface SafeFetchOptions {
  /** Hostnames or IPs reachable even when not public (PATRON_OUTBOUND_ALLOW). */
  allowHosts?: readonly string[];
  /** The whole request, DNS and body included. Default 5 s. */
  timeoutMs?: number;
  /** Largest response body, in bytes. Default 1 MiB. */
  maxBytes?: number;
  /** Default `dns.lookup(host, {all: true})`; tests stub it. */
  dns?: Resolver;
  /**
   * Tests only: opens the socket instead of Node (a fake network). It receives the checking
   * `lookup` in its options and must use it. Unset in production.
   */
  createConnection?: http.RequestOptions['createConnection'];
}

export interface SafeGetOptions {
  headers?: Record<string, string>;
}

export type SafeFetch = (url: string | URL, options?: SafeGetOptions) => Promise<SafeFetchResult>;

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BYTES = 1_048_576;

/** Everything outside 2000::/3 is unallocated or special-purpose, whatever `range()` says of it. */
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
/** NAT64 well-known prefix (RFC 6052): the last 32 bits are an IPv4 address, checked as such. */
const NAT64_V6 = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/** A refusal by the address check, told apart from socket errors when the request fails. */
class RefusedError extends Error {}

/**
 * Whether an address (an IP literal, as a socket would be given it) is public unicast.
 * Strings that Node wouldn't take as an IP are not addresses: ipaddr.js alone would accept
 * forms like "0177.0.0.1" that the socket layer reads differently.
 */
export function isPublicAddress(address: string): boolean {
  if (net.isIP(address) === 0) return false;
  let ip = ipaddr.parse(address);
  if (ip instanceof ipaddr.IPv6) {
    if (ip.isIPv4MappedAddress()) ip = ip.toIPv4Address();
    else if (ip.match(NAT64_V6)) ip = new ipaddr.IPv4(ip.toByteArray().slice(12));
  }
  if (ip instanceof ipaddr.IPv4) return ip.range() === 'unicast';
  // 'unicast' is ipaddr.js's name for "none of its special ranges" (no loopback, link-local,
  // unique-local, multicast, 6to4, Teredo, documentation...); ::/96 (IPv4-compatible) is not
  // one of them, hence the 2000::/3 requirement too.
  return ip.range() === 'unicast' && ip.match(GLOBAL_UNICAST_V6);
}

/** One spelling per address, so allow-list IPs match however they are written. */
function canonicalIp(address: string): string {
  const ip = ipaddr.parse(address);
  return ip instanceof ipaddr.IPv6 && ip.isIPv4MappedAddress() ? ip.toIPv4Address().toString() : ip.toNormalizedString();
}

/** URL hostnames come lowercased, IPv6 in brackets, sometimes with the root's trailing dot. */
function normaliseHost(host: string): string {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

const defaultResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true });

/** Socket error codes, as a sentence for the reason. */
const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed (temporary)',
  ETIMEDOUT: 'connection timed out',
};

export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const resolver = options.dns ?? defaultResolver;
  if (!(timeoutMs > 0) || !(maxBytes > 0)) throw new TypeError('timeoutMs and maxBytes must be positive');

  const allowedNames = new Set<string>();
  const allowedIps = new Set<string>();
  for (const entry of options.allowHosts ?? []) {
    const host = normaliseHost(entry.trim());
    if (net.isIP(host) !== 0) allowedIps.add(canonicalIp(host));
    else if (host !== '') allowedNames.add(host);
  }
  const addressAllowed = (address: string) =>
    isPublicAddress(address) || (net.isIP(address) !== 0 && allowedIps.has(canonicalIp(address)));

  return async function safeFetch(input, getOptions = {}) {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      return { ok: false, kind: 'bad_url', reason: 'not a valid absolute URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return { ok: false, kind: 'refused', reason: `only http and https URLs are allowed, not ${url.protocol}` };
    }
    const host = normaliseHost(url.hostname);
    const hostAllowed = allowedNames.has(host);
    // Node connects to an IP literal without calling `lookup`: it has to be checked here.
    if (net.isIP(host) !== 0 && !hostAllowed && !addressAllowed(host)) {
      return { ok: false, kind: 'refused', reason: `${host} is not a public address` };
    }

    let checked = '';
    const lookup: net.LookupFunction = (hostname, lookupOptions, callback) => {
      const family = lookupOptions.family === 'IPv4' ? 4 : lookupOptions.family === 'IPv6' ? 6 : (lookupOptions.family ?? 0);
      resolver(hostname)
        .then((addresses) => {
          const bad = hostAllowed ? undefined : addresses.find((a) => !addressAllowed(a.address));
          if (bad) throw new RefusedError(`${hostname} resolves to ${bad.address}, which is not a public address`);
          const usable = family ? addresses.filter((a) => a.family === family) : [...addresses];
          if (usable.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' });
          checked = usable.map((a) => a.address).join(', ');
          return usable;
        })
        .then(
          // Node asks for every address (`all`) when it races IPv4 and IPv6 (autoSelectFamily).
          (usable) => (lookupOptions.all ? callback(null, usable) : callback(null, usable[0]!.address, usable[0]!.family)),
          (err: NodeJS.ErrnoException) => callback(err, '', 0),
        );
    };

    return new Promise<SafeFetchResult>((resolve) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      let timer: NodeJS.Timeout | undefined;
      const where = () => (checked ? `${url.host} (${checked})` : url.host);
      const finish = (result: SafeFetchResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // Also how reading stops: the body past the cap or after a redirect is never received.
        req?.destroy();
        resolve(result);
      };
      const fail = (kind: SafeFetchErrorKind, reason: string) => finish({ ok: false, kind, reason });
      const transport = url.protocol === 'https:' ? https : http;
      req = transport.request(url, {
        method: 'GET',
        headers: getOptions.headers,
        lookup,
        // A fresh connection per request: a pooled socket (the global agent keeps them alive)
        // may have been opened by other code, to an address this check never saw.
        ...(options.createConnection ? { createConnection: options.createConnection } : { agent: false }),
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err instanceof RefusedError) return fail('refused', err.message);
        if (err.code === 'ETIMEDOUT') return fail('timeout', `${where()}: connection timed out`);
        fail('unreachable', `${where()}: ${SOCKET_ERRORS[err.code ?? ''] ?? err.message}`);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && status !== 304) {
          const location = res.headers.location ? ` to ${res.headers.location.slice(0, 200)}` : '';
          return fail('redirect', `${where()} answered ${status}${location}; redirects are not followed`);
        }
        const tooLarge = () => fail('too_large', `the response from ${where()} is larger than ${maxBytes} bytes`);
        if (Number(res.headers['content-length']) > maxBytes) return tooLarge();
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return tooLarge();
          chunks.push(chunk);
        });
        res.on('end', () => finish({ ok: true, status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', () => fail('unreachable', `${where()}: the connection broke during the response`));
        res.on('close', () => {
          if (!res.complete) fail('unreachable', `${where()}: the connection closed before the response ended`);
        });
      });
      req.end();
      timer = setTimeout(() => fail('timeout', `no complete response from ${where()} within ${timeoutMs} ms`), timeoutMs);
    });
  };
}
