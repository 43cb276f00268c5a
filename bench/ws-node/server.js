// A minimal broadcaster on the `ws` library: the reference point of bench/broadcast.sh.
//
// Same wire format as broadcast-server, so `wsload` drives both: connect to
// ws://HOST:PORT/?name=<name>&room=<room>; every text message a client sends reaches every
// client of its room (the sender too) as
//   {"type":"message","id":"<n>","room":"...","from":"...","text":"...","at":"<ISO time>"}
// Nothing else: no join/leave events, history, pings, limits or auth. Any plain HTTP
// request gets 200 "ok" (the benchmark script waits on it).
//
// Usage: node server.js [port = $PORT or 8091]   (HOST, default 127.0.0.1)
'use strict';

const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');

const port = Number(process.argv[2] || process.env.PORT || 8091);
const host = process.env.HOST || '127.0.0.1';

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
// perMessageDeflate is off by default in ws 8; broadcast-server does not compress either.
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 });

/** room name -> Set of sockets */
const rooms = new Map();
let nextId = 0;

wss.on('connection', (socket, req) => {
  const query = new URL(req.url, 'http://localhost').searchParams;
  const name = query.get('name') || 'anonymous';
  const room = query.get('room') || 'lobby';
  let members = rooms.get(room);
  if (!members) {
    members = new Set();
    rooms.set(room, members);
  }
  members.add(socket);

  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    nextId += 1;
    // Serialised and turned into bytes once; every client gets the same buffer
    // (sent as a text frame). Passing the string would re-encode it for each client.
    const frame = Buffer.from(
      JSON.stringify({
        type: 'message',
        id: String(nextId),
        room,
        from: name,
        text: data.toString(),
        at: new Date().toISOString(),
      }),
    );
    for (const client of members) {
      if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
    }
  });
  socket.on('close', () => {
    members.delete(socket);
    if (members.size === 0 && rooms.get(room) === members) rooms.delete(room);
  });
  socket.on('error', () => socket.terminate());
});

server.listen(port, host, () => {
  console.log(`ws broadcaster listening on ws://${host}:${port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => process.exit(0));
}
