// Socket.IO 4.8.4 baseline for bench/fan-out (issue 4): websocket transport only, no
// compression. A client emits `join` (room, ack) and is acked once it is in the room; the
// publisher emits `publish {room, data}` and the server relays it with io.to(room).emit("msg", data).
// GET /health -> 200; GET /memory[?gc=1] -> heap/rss (node --expose-gc for gc=1).
// Usage: node server.js [port] [host]   (loopback only)
"use strict";
const http = require("http");
const { Server } = require("socket.io");

const port = Number(process.argv[2] || 8091);
const host = process.argv[3] || "127.0.0.1";
if (!host.startsWith("127.")) throw new Error("loopback only: " + host);

const httpServer = http.createServer((req, res) => {
  if (req.url === "/health") { res.end("ok"); return; }
  if (req.url.startsWith("/memory")) {
    if (req.url.includes("gc=1") && global.gc) global.gc();
    const m = process.memoryUsage();
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss, sockets: io.engine.clientsCount }));
    return;
  }
  res.statusCode = 404; res.end();
});
const io = new Server(httpServer, { transports: ["websocket"], perMessageDeflate: false, serveClient: false, maxHttpBufferSize: 1e6 });
io.on("connection", (socket) => {
  socket.on("join", (room, ack) => {
    socket.join(String(room));
    if (typeof ack === "function") ack("ok");
  });
  socket.on("publish", (msg) => {
    if (msg && typeof msg.room === "string") io.to(msg.room).emit("msg", msg.data);
  });
});
httpServer.listen(port, host, () => console.log(`socket.io ${require("socket.io/package.json").version} listening on ${host}:${port}`));
