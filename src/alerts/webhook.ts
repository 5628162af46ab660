// Webhooks may only reach public addresses (unless the administrator allows others with
// VIGIL_WEBHOOK_ALLOW_PRIVATE=1): a subscription to a private, loopback or link-local address would let any
// signed-in user make Vigil send requests into its own network. The host is checked when the subscription is
// made and again at every delivery (DNS may answer otherwise by then), every address it resolves to, with
// the address classification of the evidence captures (src/evidence/address-guard.ts); the request then goes
// to the address that was checked, so no second lookup can rebind it.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { blockedReason, type Resolver } from '../evidence/address-guard.ts';
import { ValidationError } from '../lib/errors.ts';

export interface WebhookGuard {
  /** VIGIL_WEBHOOK_ALLOW_PRIVATE: webhooks may reach private, loopback and link-local addresses. */
  allowPrivate: boolean;
  resolver?: Resolver;
}

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Why a webhook URL may not be used, or its host's addresses (all checked). */
export async function checkWebhookUrl(
  target: string,
  guard: WebhookGuard,
): Promise<{ refused: string } | { addresses: { address: string; family: 4 | 6 }[] }> {
  if (!/^https?:\/\//i.test(target) || !URL.canParse(target)) return { refused: 'must be an http(s) URL' };
  const url = new URL(target);
  if (url.username || url.password) return { refused: 'must not carry a user name or password' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let found: { address: string; family: number }[];
  if (isIP(host)) found = [{ address: host, family: isIP(host) }];
  else {
    try {
      found = await (guard.resolver ?? systemResolver)(host);
    } catch (error) {
      const code = (error as { code?: string }).code;
      return { refused: `cannot resolve ${host}${code ? ` (${code})` : ''}` };
    }
    if (found.length === 0) return { refused: `${host} resolves to no address` };
  }
  if (!guard.allowPrivate) {
    for (const { address } of found) {
      const why = blockedReason(address);
      if (why) {
        return {
          refused:
            `${host} resolves to ${address}, a ${why} address: webhooks may only reach public addresses ` +
            '(an administrator can allow others with VIGIL_WEBHOOK_ALLOW_PRIVATE=1)',
        };
      }
    }
  }
  return { addresses: found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })) };
}

/** At subscription time: a 400 naming `target` when the URL may not be used. */
export async function requireWebhookUrl(target: string, guard: WebhookGuard): Promise<void> {
  const checked = await checkWebhookUrl(target, guard);
  if ('refused' in checked) throw ValidationError.field('target', checked.refused);
}

/** A webhook the guard refused at delivery: not sent, and not worth retrying as if the endpoint had failed. */
export class WebhookRefusedError extends Error {}

// Connections are kept alive per host and port (the sockets were opened to checked addresses).
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

/**
 * POSTs the body to the URL after checking its host again; the connection goes to the checked address.
 * Resolves with the status code; redirects are not followed.
 */
export async function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: WebhookGuard & { timeoutMs: number },
): Promise<number> {
  const checked = await checkWebhookUrl(target, options);
  if ('refused' in checked) throw new WebhookRefusedError(`refused: ${checked.refused}`);
  const pinned = checked.addresses[0]!;
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all)
      (callback as never as (e: null, a: unknown[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  const url = new URL(target);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        lookup,
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (response) => {
        response.resume(); // the answer's body is not read
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    request.on('error', (error) =>
      reject(error.name === 'AbortError' ? new Error(`no answer within ${options.timeoutMs} ms`) : error),
    );
    request.end(body);
  });
}
