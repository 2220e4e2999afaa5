#!/usr/bin/env python3
"""A Parley service in Python, on nothing but the standard library.

It speaks the TCP event-bus bridge (each frame a 4-byte big-endian length and UTF-8 JSON) to a
Parley node's TCP endpoint (`tcp.port`), authenticates with an API key, decides who may join
org rooms (rooms.authorize, with `rooms.policy: "bus"`), listens to rooms.joined, and greets
each user who joins `room` with a server event. See docs/protocol.md, "Services".

    python3 parley_service.py <host> <port> <apiKey> <room> [<userId>]

With <userId> it exits after greeting that user, printing one line of JSON with what it saw
(io.parley.bridge.ServicesInOtherLanguagesTest runs it so); without, it serves until interrupted.
"""
import json
import socket
import struct
import sys
import threading
import uuid


class EventBus:
    """A minimal client of the TCP event-bus bridge: send (with a reply callback), register, reply."""

    PING_SECONDS = 5  # the node closes a connection silent for bridge.pingTimeoutMs (10 s)

    def __init__(self, host, port):
        self.sock = socket.create_connection((host, port))
        self.handlers = {}
        self.replies = {}
        self.writing = threading.Lock()
        threading.Thread(target=self._keep_alive, daemon=True).start()

    def _keep_alive(self):
        stop = threading.Event()
        while not stop.wait(self.PING_SECONDS):
            self._write({'type': 'ping'})

    def _write(self, frame):
        data = json.dumps(frame).encode('utf-8')
        with self.writing:
            self.sock.sendall(struct.pack('>i', len(data)) + data)

    def _read_exactly(self, n):
        chunks = b''
        while len(chunks) < n:
            chunk = self.sock.recv(n - len(chunks))
            if not chunk:
                raise ConnectionError('the node closed the connection')
            chunks += chunk
        return chunks

    def send(self, address, body, on_reply=None):
        frame = {'type': 'send', 'address': address, 'body': body}
        if on_reply:
            frame['replyAddress'] = str(uuid.uuid4())
            self.replies[frame['replyAddress']] = on_reply
        self._write(frame)

    def register(self, address, handler):
        self.handlers[address] = handler
        self._write({'type': 'register', 'address': address})

    def reply(self, message, body):
        self._write({'type': 'send', 'address': message['replyAddress'], 'body': body})

    def serve(self):
        """Reads frames and hands each to its reply callback or handler, until the connection closes."""
        while True:
            (length,) = struct.unpack('>i', self._read_exactly(4))
            frame = json.loads(self._read_exactly(length).decode('utf-8'))
            address = frame.get('address')
            if frame['type'] == 'pong':
                continue
            if address in self.replies:
                self.replies.pop(address)(frame)
            elif address in self.handlers:
                self.handlers[address](frame)
            else:
                raise RuntimeError('refused: %s' % frame)


class Done(Exception):
    pass


def main(host, port, api_key, room, user_id=None):
    eb = EventBus(host, int(port))
    seen = {'asked': [], 'joined': []}

    def authenticated(reply):
        if reply['type'] == 'err':
            raise RuntimeError('authentication refused: %s' % reply.get('message'))
        seen['service'] = reply['body']['service']
        eb.register('rooms.authorize', authorize)
        eb.register('rooms.joined', joined)
        # frames are handled in order: once this is answered, both handlers are registered
        eb.send('auth.authenticate', {'apiKey': api_key}, lambda _: print('ready', flush=True))

    def authorize(message):
        question = message['body']
        seen['asked'].append(question['userId'])
        org = room[len('org-'):] if room.startswith('org-') else room
        eb.reply(message, {'allowed': question['room'] == room and question['userId'].startswith(org)})

    def joined(message):
        seen['joined'].append(message['body']['userId'])
        if message['body']['room'] == room:
            greeting = {'room': room, 'event': 'service.greeting', 'data': {'hello': message['body']['userId']}}
            eb.send('rooms.publish', greeting, lambda reply: published(reply, message['body']['userId']))

    def published(reply, greeted):
        if reply['type'] == 'err':
            raise RuntimeError('publish refused: %s' % reply.get('message'))
        seen['publishedOffset'] = reply['body']['offset']
        if greeted == user_id:
            raise Done()

    eb.send('auth.authenticate', {'apiKey': api_key}, authenticated)
    try:
        eb.serve()
    except Done:
        seen['ok'] = True
        print(json.dumps(seen), flush=True)


if __name__ == '__main__':
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
