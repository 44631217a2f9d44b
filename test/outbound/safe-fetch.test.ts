import assert from 'node:assert/strict';
import type { LookupAddress } from 'node:dns';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { createSafeFetch, isPublicAddress, type SafeFetchOptions } from '../../src/core/outbound/safe-fetch.js';

/**
 * The outbound client on its own (no Patron server): local node:http servers play the CRM,
 * a stub resolver plays DNS, and for "public" addresses a fake network routes the address the
 * client checked to a local server, so no test ever sends a packet off this machine.
 */

const vectors = JSON.parse(await readFile(new URL('../../../shared/vectors/ssrf-urls.json', import.meta.url), 'utf8')) as {
  urlCases: { input: string; category: string; whatwgHostname: string; protocol: string }[];
  dnsCases: { input: string; category: string; resolvesTo: string[] }[];
};

const PUBLIC = '93.184.215.14';

// ---- local servers, DNS stub, fake network ----

interface Local {
  port: number;
  requests: http.IncomingMessage[];
}

const servers: http.Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

function listen(server: http.Server, port: number, host: string) {
  servers.push(server);
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A server on 127.0.0.1, and on [::1] at the same port when it can, counting what reaches it. */
async function localServer(handler: http.RequestListener = (_req, res) => res.end('hello')): Promise<Local> {
  const requests: http.IncomingMessage[] = [];
  const onRequest: http.RequestListener = (req, res) => {
    requests.push(req);
    handler(req, res);
  };
  const port = await listen(http.createServer(onRequest), 0, '127.0.0.1');
  await listen(http.createServer(onRequest), port, '::1').catch(() => undefined);
  return { port, requests };
}

/** DNS answers per name; a name with several answers gives the next one at each call (rebinding). */
function stubDns(answers: Record<string, string[][]>) {
  const calls: string[] = [];
  const resolver = async (hostname: string): Promise<LookupAddress[]> => {
    const seen = calls.filter((c) => c === hostname).length;
    calls.push(hostname);
    const list = answers[hostname.toLowerCase()] ?? answers['*'];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answer = list[Math.min(seen, list.length - 1)]!;
    return answer.map((address) => ({ address, family: net.isIP(address) }));
  };
  return { resolver, calls };
}

/**
 * Opens sockets the way the network would: the address comes from the client's `lookup`
 * (or, for a client that doesn't pass one, from resolving the name again, as the OS would),
 * and is routed to a local port as if that address were that server.
 */
function fakeNetwork(routes: Record<string, number>, resolver: (host: string) => Promise<LookupAddress[]>) {
  const dialed: string[] = [];
  const createConnection: SafeFetchOptions['createConnection'] = (options) => {
    const socket = new net.Socket();
    const lookup: net.LookupFunction =
      options.lookup ?? ((host, _o, cb) => void resolver(host).then((a) => cb(null, a[0]!.address, a[0]!.family)));
    lookup(options.host ?? '', { family: 0, all: false }, (err, address) => {
      if (err) return void socket.destroy(err);
      dialed.push(String(address));
      const port = routes[String(address)];
      if (port === undefined) socket.destroy(Object.assign(new Error(`connect ENETUNREACH ${address}`), { code: 'ENETUNREACH' }));
      else socket.connect(port, '127.0.0.1');
    });
    return socket;
  };
  return { createConnection, dialed };
}

function drainOrClose(res: http.ServerResponse) {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function assertFailure(result: Awaited<ReturnType<ReturnType<typeof createSafeFetch>>>, kind: string) {
  assert.equal(result.ok, false, `expected ${kind}, got ${JSON.stringify(result).slice(0, 300)}`);
  if (!result.ok) {
    assert.equal(result.kind, kind, result.reason);
    assert.ok(result.reason.length > 0 && !/\n\s+at /.test(result.reason), `reason is a sentence: ${result.reason}`);
  }
}

// ---- the shared vectors ----

describe('ssrf-urls.json vectors', () => {
  test('every urlCases entry is refused and nothing is connected to', async () => {
    const local = await localServer();
    const dns = stubDns({ '*': [['127.0.0.1']] });
    const fetch = createSafeFetch({ dns: dns.resolver, timeoutMs: 1_000 });
    for (const vector of vectors.urlCases) {
      // The vectors' loopback cases point at ports 80/8080/5432; the local server's port makes
      // a wrongly allowed request visible (it lands there) instead of a refused connection.
      const url = new URL(vector.input);
      if (url.protocol === 'http:') url.port = String(local.port);
      const result = await fetch(url.protocol === 'http:' ? url.href : vector.input);
      assertFailure(result, 'refused');
    }
    assert.equal(local.requests.length, 0);
  });

  const dnsCase = (name: string) => {
    const vector = vectors.dnsCases.find((c) => new URL(c.input).hostname === name);
    assert.ok(vector, name);
    return vector;
  };

  test('DNS rebinding: the socket gets the address that was checked, resolved once', async () => {
    const vector = dnsCase('rebind.test');
    const internal = await localServer();
    const crm = await localServer((_req, res) => res.end('{"found":true}'));
    const dns = stubDns({ 'rebind.test': vector.resolvesTo.map((a) => [a]) });
    const network = fakeNetwork({ [PUBLIC]: crm.port, '127.0.0.1': internal.port }, dns.resolver);
    const fetch = createSafeFetch({ dns: dns.resolver, createConnection: network.createConnection });

    const result = await fetch(vector.input);
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.deepEqual(dns.calls, ['rebind.test']);
    assert.deepEqual(network.dialed, [PUBLIC]);
    assert.equal(crm.requests.length, 1);
    assert.equal(internal.requests.length, 0);

    // The stub now answers 127.0.0.1: the next request is checked against that answer.
    const again = await fetch(vector.input);
    assertFailure(again, 'refused');
    assert.match(again.ok ? '' : again.reason, /127\.0\.0\.1/);
    assert.equal(internal.requests.length, 0);
  });

  test('a name resolving to a private address, or to a public and a private one, is refused before connecting', async () => {
    for (const name of ['internal.test', 'mixed.test']) {
      const vector = dnsCase(name);
      const dns = stubDns({ [name]: [vector.resolvesTo] });
      const network = fakeNetwork({}, dns.resolver);
      const result = await createSafeFetch({ dns: dns.resolver, createConnection: network.createConnection })(vector.input);
      assertFailure(result, 'refused');
      assert.match(result.ok ? '' : result.reason, new RegExp(vector.resolvesTo.at(-1)!.replaceAll('.', '\\.')));
      assert.deepEqual(network.dialed, []);
    }
  });

  test('a redirect to the metadata address is not followed', async () => {
    const vector = dnsCase('public.test');
    const metadata = await localServer();
    const crm = await localServer((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end());
    const dns = stubDns({ 'public.test': [vector.resolvesTo] });
    // The fake network carries no TLS: the https URL is spoken in plain text to the local "CRM".
    // What is under test is that the 302 ends the request.
    const network = fakeNetwork({ [PUBLIC]: crm.port, '169.254.169.254': metadata.port }, dns.resolver);
    const result = await createSafeFetch({ dns: dns.resolver, createConnection: network.createConnection })(vector.input);
    assertFailure(result, 'redirect');
    assert.match(result.ok ? '' : result.reason, /302 to http:\/\/169\.254\.169\.254\//);
    assert.equal(crm.requests.length, 1);
    assert.equal(metadata.requests.length, 0);
    assert.deepEqual(network.dialed, [PUBLIC]);
  });
});

// ---- against local servers, allow-listed ----

describe('requests', () => {
  test('an allow-listed 127.0.0.1 answers: GET, the query string and headers go out, the body comes back', async () => {
    const crm = await localServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"c-1"}'));
    const fetch = createSafeFetch({ allowHosts: ['127.0.0.1'] });
    const query = new URLSearchParams({ channel: 'email', address: 'a@b.example', brandId: '7' });
    const result = await fetch(`http://127.0.0.1:${crm.port}/lookup?${query}`, { headers: { accept: 'application/json' } });
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.status, 200);
    assert.equal(result.headers['content-type'], 'application/json');
    assert.equal(result.body, '{"id":"c-1"}');
    const req = crm.requests[0]!;
    assert.equal(req.method, 'GET');
    assert.equal(req.url, `/lookup?${query}`);
    assert.equal(req.headers.accept, 'application/json');
  });

  test('an allow-listed name goes through the real socket with the checked address', async () => {
    const crm = await localServer();
    const dns = stubDns({ 'crm.internal.test': [['127.0.0.1']] });
    const result = await createSafeFetch({ allowHosts: ['CRM.internal.test.'], dns: dns.resolver })(`http://crm.internal.test:${crm.port}/`);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.body, 'hello');
    assert.equal(crm.requests[0]!.headers.host, `crm.internal.test:${crm.port}`);
    assert.deepEqual(dns.calls, ['crm.internal.test']);
  });

  test('without the allow-list the same requests are refused; an allowed IP allows only itself', async () => {
    const crm = await localServer();
    const dns = stubDns({ 'crm.internal.test': [['127.0.0.1']], 'two.test': [['127.0.0.1', '10.0.0.1']] });
    assertFailure(await createSafeFetch({ dns: dns.resolver })(`http://127.0.0.1:${crm.port}/`), 'refused');
    assertFailure(await createSafeFetch({ dns: dns.resolver })(`http://crm.internal.test:${crm.port}/`), 'refused');
    const fetch = createSafeFetch({ allowHosts: ['127.0.0.1'], dns: dns.resolver });
    assertFailure(await fetch(`http://127.0.0.2:${crm.port}/`), 'refused');
    assertFailure(await fetch(`http://two.test:${crm.port}/`), 'refused');
    // The allowed IP, reached by name and in its IPv4-mapped spelling.
    assert.equal((await fetch(`http://crm.internal.test:${crm.port}/`)).ok, true);
    assert.equal((await fetch(`http://[::ffff:127.0.0.1]:${crm.port}/`)).ok, true);
    assert.equal(crm.requests.length, 2);
  });

  test('any status other than a redirect is returned for the caller to judge', async () => {
    const crm = await localServer((_req, res) => res.writeHead(404).end('{"error":"not found"}'));
    const result = await createSafeFetch({ allowHosts: ['127.0.0.1'] })(`http://127.0.0.1:${crm.port}/`);
    assert.ok(result.ok);
    assert.equal(result.status, 404);
    assert.equal(result.body, '{"error":"not found"}');
  });

  test('a 302 to http://169.254.169.254/ is reported, not followed', async () => {
    const crm = await localServer((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    const result = await createSafeFetch({ allowHosts: ['127.0.0.1'] })(`http://127.0.0.1:${crm.port}/`);
    assertFailure(result, 'redirect');
    assert.match(result.ok ? '' : result.reason, /169\.254\.169\.254/);
    assert.equal(crm.requests.length, 1);
  });

  test('a server that never answers: timeout', async () => {
    const silent = await localServer(() => undefined);
    const result = await createSafeFetch({ allowHosts: ['127.0.0.1'], timeoutMs: 200 })(`http://127.0.0.1:${silent.port}/`);
    assertFailure(result, 'timeout');
    assert.match(result.ok ? '' : result.reason, /200 ms/);
  });

  test('a body larger than the cap: too_large, and the download stops', async () => {
    const total = 50 * 1_048_576;
    let sent = 0;
    let stoppedEarly = false;
    let handlerEnded!: () => void;
    const handled = new Promise<void>((resolve) => (handlerEnded = resolve));
    const stream = await localServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }); // no Content-Length: streamed
      const chunk = Buffer.alloc(65_536, 'x');
      while (sent < total && !res.destroyed) {
        sent += chunk.length;
        if (!res.write(chunk)) await drainOrClose(res);
      }
      stoppedEarly = res.destroyed;
      res.end();
      handlerEnded();
    });
    const result = await createSafeFetch({ allowHosts: ['127.0.0.1'] })(`http://127.0.0.1:${stream.port}/`);
    assertFailure(result, 'too_large');
    await handled;
    assert.ok(stoppedEarly && sent < total, `the server stopped sending (sent ${sent} of ${total})`);
  });

  test('a declared Content-Length above the cap: too_large without waiting for the body', async () => {
    // Only the headers and one byte ever come: reading on would end in a timeout.
    const big = await localServer((_req, res) => res.writeHead(200, { 'content-length': 2_000 }).write('x'));
    const fetch = createSafeFetch({ allowHosts: ['127.0.0.1'], maxBytes: 1_000, timeoutMs: 2_000 });
    assertFailure(await fetch(`http://127.0.0.1:${big.port}/`), 'too_large');
  });

  test('a closed port: unreachable', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as net.AddressInfo).port)));
    await new Promise((resolve) => probe.close(resolve));
    const result = await createSafeFetch({ allowHosts: ['127.0.0.1'] })(`http://127.0.0.1:${port}/`);
    assertFailure(result, 'unreachable');
    assert.match(result.ok ? '' : result.reason, /connection refused/);
  });

  test('an unknown name: unreachable', async () => {
    const dns = stubDns({});
    assertFailure(await createSafeFetch({ dns: dns.resolver })('https://nowhere.test/'), 'unreachable');
  });

  test('garbage and non-http URLs: bad_url or refused', async () => {
    const fetch = createSafeFetch({ allowHosts: ['127.0.0.1', 'localhost'] });
    for (const input of ['not a url', '', 'http://', 'http://[::1', '//127.0.0.1/', 'http://exa mple.com/']) {
      assertFailure(await fetch(input), 'bad_url');
    }
    for (const input of ['javascript:alert(1)', 'data:text/plain,hi', 'ws://127.0.0.1/', 'file:///etc/passwd', 'gopher://localhost:70/']) {
      assertFailure(await fetch(input), 'refused');
    }
  });
});

describe('isPublicAddress', () => {
  test('public unicast only, IPv4-mapped and NAT64 addresses judged by their IPv4', () => {
    const yes = ['8.8.8.8', PUBLIC, '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808'];
    const no = [
      '127.0.0.1', '10.1.2.3', '172.31.255.255', '192.168.0.10', '100.64.0.1', '169.254.169.254', '0.0.0.0', '255.255.255.255',
      '224.0.0.1', '240.0.0.1', '192.0.2.1', '198.18.0.1', '::', '::1', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd00:ec2::254',
      'ff02::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe', '::127.0.0.1', '64:ff9b::a00:1', '64:ff9b:1::1', '2002:7f00:1::',
      '2001::1', '2001:db8::1', 'fec0::1', '100::1', '0177.0.0.1', '127.1', 'localhost', '',
    ];
    for (const a of yes) assert.equal(isPublicAddress(a), true, a);
    for (const a of no) assert.equal(isPublicAddress(a), false, a);
  });
});
