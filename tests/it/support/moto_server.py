"""Runs the moto AWS emulator on 127.0.0.1:PORT until standard input closes,
so that it ends with the process that started it (a test run or the demo)."""

import logging
import sys

from moto.server import ThreadedMotoServer

# No request log: the demo's output is orgrole's.
logging.getLogger("werkzeug").setLevel(logging.ERROR)
port = int(sys.argv[1])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print(f"moto listening on http://127.0.0.1:{port}", flush=True)
sys.stdin.read()
server.stop()
