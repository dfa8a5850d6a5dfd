#!/usr/bin/env python3
"""Opens N connections, sends one request on each, reports how many got a response head
within T seconds, then holds them open for H seconds.
Usage: hold_streams.py PORT N T [PATH] [H]"""
import selectors, socket, sys, time

port, n, t = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
path = sys.argv[4] if len(sys.argv) > 4 else "/sse"
hold = float(sys.argv[5]) if len(sys.argv) > 5 else 5
sel = selectors.DefaultSelector()
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, i)
    socks.append(s)
got = set()
deadline = time.time() + t
while time.time() < deadline and len(got) < n:
    for key, _ in sel.select(timeout=0.2):
        try:
            if key.fileobj.recv(65536):
                got.add(key.data)
        except BlockingIOError:
            pass
print("streams with a response: %d of %d" % (len(got), n), flush=True)
time.sleep(hold)
