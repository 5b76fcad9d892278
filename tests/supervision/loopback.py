"""HTTP servers on loopback for the crawler's and the probe's tests: the only external targets."""

import contextlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recorder:
    """What the server saw: requests per path, and the most requests it had in flight at once."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.hosts = []


def _handler(recorder, routes):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _answer(self, body=True):
            with recorder.lock:
                recorder.requests[self.path] += 1
                recorder.hosts.append(self.headers.get("Host"))
                recorder.in_flight += 1
                recorder.max_in_flight = max(recorder.max_in_flight, recorder.in_flight)
            try:
                status, headers, delay = routes(self.path)
                if delay:
                    time.sleep(delay)
                payload = b"<html><body>ok</body></html>" if status == 200 else b"no"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if body:
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with recorder.lock:
                    recorder.in_flight -= 1

        def do_GET(self):
            self._answer()

        def do_HEAD(self):
            self._answer(body=False)

    return Handler


@contextlib.contextmanager
def loopback_server(routes):
    """Serve ``routes(path) -> (status, headers, delay)`` on 127.0.0.1; yields (port, recorder)."""
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder, routes))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], recorder
    finally:
        server.shutdown()
        server.server_close()
