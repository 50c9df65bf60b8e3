#!/usr/bin/env python3
"""Scripted HTTP/1.1 server for curl_transport_test.cpp: listens on 127.0.0.1 (ephemeral port), prints the
port as the first line of stdout, then serves until killed. Keep-alive is on (HTTP/1.1), so the test can check
that the transport reuses its connection (/stats counts accepted connections).

Paths (query parameters in brackets):
  /ok                         200 JSON {"ok": true}
  /status/<code>[?retry_after=S]  that status, a JSON body, Retry-After: S when given
  /stall[?s=5]                200 headers (Content-Length 100) then no body for S seconds, then close
  /truncated                  Content-Length 1000, 10 bytes of body, then the connection is closed
  /gzip                       JSON body sent with Content-Encoding: gzip (when the client offers gzip)
  /slow[?ms=20]               /ok after MS milliseconds
  /html-error                 502 with an HTML body (what a reverse proxy sends)
  /flaky?id=X&fail=N          500 for the first N requests with this id, then 200 JSON {"id": X, "calls": n}
  /big?bytes=N                200 with N bytes of body
  /redirect                   302 to /ok
  /echo                       any method: JSON with the method, body and request headers
  /stats                      JSON {"connections": n, "requests": m}
"""
import gzip
import json
import sys
import threading
import time
import urllib.parse

import fake_server_base

LOCK = threading.Lock()
CONNECTIONS = 0
REQUESTS = 0
FLAKY_CALLS = {}


class Handler(fake_server_base.Handler):
    def setup(self):
        global CONNECTIONS
        super().setup()
        with LOCK:
            CONNECTIONS += 1

    def handle_any(self):
        global REQUESTS
        with LOCK:
            REQUESTS += 1
        request_body = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = url.path

        if path == "/ok":
            self.send_body(200, json.dumps({"ok": True}))
        elif path.startswith("/status/"):
            code = int(path[len("/status/"):])
            headers = [("Retry-After", query["retry_after"])] if "retry_after" in query else []
            self.send_body(code, json.dumps({"status": code}), headers=headers)
        elif path == "/stall":
            self.stall(200, 100, float(query.get("s", "5")))
        elif path == "/truncated":
            self.send_truncated(200, 1000, b"0123456789")
        elif path == "/gzip":
            body = json.dumps({"compressed": True, "padding": "x" * 1000}).encode()
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                self.send_body(200, gzip.compress(body), headers=[("Content-Encoding", "gzip")])
            else:
                self.send_body(200, body)
        elif path == "/slow":
            time.sleep(int(query.get("ms", "20")) / 1000)
            self.send_body(200, json.dumps({"ok": True}))
        elif path == "/html-error":
            self.send_body(502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif path == "/flaky":
            key = query.get("id", "")
            with LOCK:
                FLAKY_CALLS[key] = FLAKY_CALLS.get(key, 0) + 1
                calls = FLAKY_CALLS[key]
            if calls <= int(query.get("fail", "2")):
                self.send_body(500, json.dumps({"error": "flaky", "calls": calls}))
            else:
                self.send_body(200, json.dumps({"id": key, "calls": calls}))
        elif path == "/big":
            self.send_body(200, b"x" * int(query.get("bytes", "0")), "application/octet-stream")
        elif path == "/redirect":
            self.send_body(302, "", headers=[("Location", "/ok")])
        elif path == "/echo":
            self.send_body(200, json.dumps({
                "method": self.command,
                "body": request_body.decode(errors="replace"),
                "headers": {name.lower(): value for name, value in self.headers.items()},
            }))
        elif path == "/stats":
            with LOCK:
                stats = {"connections": CONNECTIONS, "requests": REQUESTS}
            self.send_body(200, json.dumps(stats))
        else:
            self.send_body(404, json.dumps({"error": "no such path"}))

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = handle_any


if __name__ == "__main__":
    sys.exit(fake_server_base.serve(Handler))
