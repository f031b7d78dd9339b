import http from 'node:http';
import https from 'node:https';

/**
 * The keep-alive agents every HttpTransport sends through, one pool per process: the pages of a
 * listing and the polls of a watch reuse one connection per host (and TLS settings). Not Node's
 * global agent, which closes a connection idle for 5 s, less than a watch's default poll interval.
 * A connection the server closed meanwhile leaves the pool when it closes; Node unrefs idle
 * sockets, so the pool never holds the process open.
 */
export const keepAliveAgents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
};
