/**
 * The function got calls to open each HTTP request (got's public `request` option).
 *
 * Why not got's own: got builds the options for `http.request` as one object literal of ~35 keys,
 * most of them `undefined` (every TLS option, lookup, family, …), and Node copies that object twice
 * more (ClientRequest, Agent#addRequest). On Node 20's V8 (11.3), adding that many keys to a
 * spread-built object falls off a fast path: ~50 µs per request in got, ~30 µs more in Node's
 * http client, about 15 % of a 100-event page read from a local server. Handing Node only the keys
 * that carry a value is the same request — `http.request` reads an absent key and an `undefined`
 * one alike — without the cost. (Measured in bench/core; Node 22 and 24 do not have the cliff.)
 */
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';

export type NativeRequestFunction = (
  url: URL,
  options: Record<string, unknown>,
  callback?: (response: IncomingMessage) => void,
) => ClientRequest;

/** `http.request` / `https.request` (by the URL's scheme) with the `undefined`-valued options left out. */
export const nativeRequest: NativeRequestFunction = (url, options, callback) => {
  const defined: Record<string, unknown> = {};
  for (const key in options) {
    const value = options[key];
    if (value !== undefined) defined[key] = value;
  }
  return url.protocol === 'https:' ? https.request(url, defined, callback) : http.request(url, defined, callback);
};
