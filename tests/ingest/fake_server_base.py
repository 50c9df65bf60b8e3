"""HTTP plumbing shared by the fake servers of the tests (fake_etherscan_server.py, fake_trongrid_server.py,
fake_esplora_server.py, fake_http_server.py). Python 3 standard library only.

A server script runs as `python3 -u tests/ingest/<script>.py`, so its own directory is on sys.path and
`import fake_server_base` finds this file.

  Handler       BaseHTTPRequestHandler speaking HTTP/1.1, logging nothing, with send_body() and the faults
                that need more than a status (stall(), send_truncated()); TCP_NODELAY when tcp_nodelay is set
  serve()       binds 127.0.0.1 on an ephemeral port, prints the port as the first line of stdout, serves until
                killed
  cut_in_half() what a truncated JSON answer carries
"""
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tcp_nodelay = False  # True: no Nagle delay between the headers and the body (see setup)
    json_type = "application/json"  # send_body's default Content-Type

    def setup(self):
        super().setup()
        if self.tcp_nodelay:
            # Headers and body go out in two writes; without TCP_NODELAY, Nagle's algorithm holds the body until
            # the client's delayed ACK (40 ms on Linux), which would make every exchange take 40 ms.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):  # keep the test output clean
        pass

    def send_head(self, status, length, content_type=None, headers=()):
        """The status line and headers of an answer announcing `length` bytes of body."""
        self.send_response(status)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()

    def send_body(self, status, body, content_type=None, headers=()):
        """A complete answer (no body for HEAD); `body` is str or bytes, Content-Type json_type by default."""
        data = body.encode() if isinstance(body, str) else body
        self.send_head(status, len(data), self.json_type if content_type is None else content_type, headers)
        if self.command != "HEAD":
            self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def stall(self, status, length, seconds, content_type=None):
        """Headers announcing `length` bytes, then nothing for `seconds`, then the connection is closed."""
        self.send_head(status, length, content_type)
        self.wfile.flush()
        time.sleep(seconds)
        self.close_connection = True

    def send_truncated(self, status, length, data, content_type=None):
        """Headers announcing `length` bytes, only `data` (fewer), then the connection is closed."""
        self.send_head(status, length, content_type)
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def post_reset(self, reset):
        """POST /__reset: calls reset() and answers {"reset":true}; any other path: 404."""
        self.read_body()
        if self.path == "/__reset":
            reset()
            self.send_body(200, '{"reset":true}')
        else:
            self.send_body(404, "Not Found", "text/plain")


def cut_in_half(body):
    return body[: len(body) // 2]


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a stalled answer must not keep the process alive
    request_queue_size = 64


def serve(handler, **attributes):
    """Serves `handler` on 127.0.0.1 (ephemeral port) with `attributes` set on the server (server.state, ...),
    after printing the port as the first line of stdout; returns 0, the exit status, on Ctrl-C."""
    server = Server(("127.0.0.1", 0), handler)
    for name, value in attributes.items():
        setattr(server, name, value)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
