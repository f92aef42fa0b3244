"""A small client of the Chrome DevTools protocol, on the standard library.

Starts a headless Chromium of the system's packages with a fresh profile,
connects to it over a WebSocket on the loopback interface, and sends
protocol commands to one page. Every event the page sends is kept, so
that a test can look at console messages, exceptions and network requests
afterwards.

    with Browser.start() as browser:
        page = browser.new_page()
        page.call("Page.enable")
        page.navigate("file:///tmp/page.html")
        print(page.evaluate("document.title"))
"""

import base64
import json
import os
import pathlib
import shutil
import socket
import struct
import subprocess
import tempfile
import time

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--no-default-browser-check",
    "--disable-extensions", "--disable-features=Translate,MediaRouter",
    "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
]


class ProtocolError(Exception):
    """A command failed, or the browser did not answer in time."""


def find_chromium():
    """Returns the path of the chromium binary, or None."""
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class WebSocket:
    """The client side of RFC 6455, text messages only."""

    def __init__(self, host, port, path, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ProtocolError("the browser closed the connection")
            response += chunk
        head, self.pending = response.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise ProtocolError("WebSocket refused: " + head.decode()[:200])

    def send(self, text):
        payload = text.encode()
        header = bytes([0x81])  # a final text frame
        size = len(payload)
        if size < 126:
            header += bytes([0x80 | size])
        elif size < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", size)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", size)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read(self, size):
        while len(self.pending) < size:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise ProtocolError("the browser closed the connection")
            self.pending += chunk
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def receive(self):
        """Returns the next text message, answering pings on the way."""
        message = b""
        while True:
            first, second = self._read(2)
            size = second & 0x7F
            if size == 126:
                size = struct.unpack(">H", self._read(2))[0]
            elif size == 127:
                size = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(size)
            opcode = first & 0x0F
            if opcode == 0x8:
                raise ProtocolError("the browser closed the WebSocket")
            if opcode == 0x9:
                self.sock.sendall(bytes([0x8A, 0x80 | len(payload)]) +
                                  b"\0\0\0\0" + payload)
                continue
            message += payload
            if first & 0x80:
                return message.decode()

    def close(self):
        self.sock.close()


class Page:
    """One page target, attached through the browser's connection."""

    def __init__(self, browser, session_id):
        self.browser = browser
        self.session_id = session_id
        self.events = []

    def call(self, method, **params):
        return self.browser.call(method, params, self.session_id)

    def wait_for(self, method, timeout=30):
        """Waits for an event of this page and returns its parameters."""
        return self.browser.wait_for(method, self.session_id, timeout)

    def navigate(self, url, timeout=60):
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired", timeout)

    def evaluate(self, expression):
        """Returns the value of a JavaScript expression, awaited when it is
        a promise; raises ProtocolError when it throws."""
        result = self.call("Runtime.evaluate", expression=expression,
                           returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise ProtocolError("evaluation failed: " +
                                json.dumps(result["exceptionDetails"])[:500])
        return result["result"].get("value")

    def press(self, key):
        """Types one printable key, as a keyboard would."""
        for kind in ("keyDown", "keyUp"):
            params = {"type": kind, "key": key, "text": key} \
                if kind == "keyDown" else {"type": kind, "key": key}
            self.call("Input.dispatchKeyEvent", **params)


class Browser:
    """A headless Chromium with a throw-away profile."""

    def __init__(self, process, profile, socket_, timeout):
        self.process = process
        self.profile = profile
        self.socket = socket_
        self.timeout = timeout
        self.next_id = 0
        # Events not waited for yet, oldest first, and the attached pages.
        self.backlog = []
        self.pages = {}

    @classmethod
    def start(cls, chromium=None, timeout=60):
        chromium = chromium or find_chromium()
        if chromium is None:
            raise ProtocolError("chromium not found: scripts/setup.sh "
                                "installs it")
        profile = tempfile.mkdtemp(prefix="adflag-chromium-")
        process = subprocess.Popen(
            [chromium] + CHROMIUM_FLAGS + [f"--user-data-dir={profile}",
                                           "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        active = pathlib.Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not active.exists() or len(active.read_text().split()) < 2:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                shutil.rmtree(profile, ignore_errors=True)
                raise ProtocolError("chromium did not start its DevTools "
                                    "endpoint")
            time.sleep(0.05)
        port, path = active.read_text().split()[:2]
        return cls(process, profile,
                   WebSocket("127.0.0.1", int(port), path, timeout), timeout)

    def __enter__(self):
        return self

    def __exit__(self, *unused):
        self.close()

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.profile, ignore_errors=True)

    def new_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"})
        session = self.call("Target.attachToTarget",
                            {"targetId": target["targetId"], "flatten": True})
        page = Page(self, session["sessionId"])
        self.pages[page.session_id] = page
        return page

    def _dispatch(self, message):
        """Keeps an event with its page; returns the message."""
        if "method" in message:
            page = self.pages.get(message.get("sessionId"))
            if page is not None:
                page.events.append(message)
            self.backlog.append(message)
        return message

    def call(self, method, params=None, session_id=None):
        self.next_id += 1
        request = {"id": self.next_id, "method": method,
                   "params": params or {}}
        if session_id:
            request["sessionId"] = session_id
        self.socket.send(json.dumps(request))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = self._dispatch(json.loads(self.socket.receive()))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise ProtocolError(f"{method}: {message['error']}")
                return message.get("result", {})
        raise ProtocolError(f"{method}: no answer in {self.timeout} s")

    def wait_for(self, method, session_id, timeout):
        for n, message in enumerate(self.backlog):
            if (message.get("method") == method and
                    message.get("sessionId") == session_id):
                del self.backlog[: n + 1]
                return message.get("params", {})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self._dispatch(json.loads(self.socket.receive()))
            if (message.get("method") == method and
                    message.get("sessionId") == session_id):
                self.backlog.clear()
                return message.get("params", {})
        raise ProtocolError(f"no {method} in {timeout} s")
