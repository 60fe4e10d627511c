#!/usr/bin/env python3
"""A webhook receiver for bench/run's webhook row: answers every POST with 200, but only after
sleeping BENCH_RECEIVER_DELAY seconds (default 5: the factory's timeout, so attempts pile up).
Prints the port it listens on (127.0.0.1, chosen by the OS), then serves until killed."""
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELAY = float(os.environ.get("BENCH_RECEIVER_DELAY", "5"))


class Slow(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        time.sleep(DELAY)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
