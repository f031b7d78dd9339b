// A preload (`node -r phase-marks.cjs …`) that writes when each phase of a short process happened,
// in ms since the process started (performance.now()), as one `PHASES {json}` line on stderr at exit:
// preload (Node's own start-up done), each socket's creation and connect, each request's start,
// response headers (TTFB) and body end (node:http through diagnostics_channel; fetch's undici
// through its undici:* channels), the first and last stdout write, beforeExit (the event loop had
// nothing left: no socket or timer held the process) and exit, with the process's CPU ms.
// Used by bench/heat/cli-phases.ts. Loads only diagnostics_channel.
'use strict';
const dc = require('node:diagnostics_channel');

const t0 = performance.now();
const marks = [['preload', t0]];
const mark = (name) => marks.push([name, performance.now()]);

dc.subscribe('net.client.socket', ({ socket }) => {
  mark('socket');
  socket.once('connect', () => mark('connect'));
});
dc.subscribe('http.client.request.start', () => mark('request'));
// published when the response's headers are parsed
dc.subscribe('http.client.response.finish', ({ response }) => {
  mark('headers');
  response.once('end', () => mark('body'));
});
dc.subscribe('undici:request:create', () => mark('request'));
dc.subscribe('undici:request:headers', () => mark('headers'));
dc.subscribe('undici:request:trailers', () => mark('body'));

const write = process.stdout.write;
let writes = 0;
process.stdout.write = function (...args) {
  mark(writes++ === 0 ? 'firstWrite' : 'lastWrite');
  if (writes > 2)
    marks.splice(
      marks.findLastIndex(([n]) => n === 'lastWrite'),
      1,
    );
  return write.apply(this, args);
};
process.once('beforeExit', () => mark('beforeExit'));
process.once('exit', () => {
  mark('exit');
  const cpu = process.cpuUsage();
  const out = { marks: marks.map(([n, t]) => [n, Math.round(t * 10) / 10]), cpuMs: (cpu.user + cpu.system) / 1000 };
  process.stderr.write(`\nPHASES ${JSON.stringify(out)}\n`);
});
