"""Runs the moto AWS emulator on 127.0.0.1:PORT until standard input closes,
so that it ends with the process that started it (a test run or the demo)."""

import logging
import sys

from moto.server import ThreadedMotoServer

# No request log or tracebacks of unimplemented calls: the output is orgrole's.
logging.disable(logging.CRITICAL)
port = int(sys.argv[1])
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print(f"moto listening on http://127.0.0.1:{port}", flush=True)
sys.stdin.read()
server.stop()
