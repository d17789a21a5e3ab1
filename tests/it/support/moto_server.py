"""Runs the moto AWS emulator on 127.0.0.1:PORT until standard input closes,
so that it ends with the process that started it (a test run or the demo).

moto's own server answers each request on a fresh connection and closes it;
AWS keeps HTTP/1.1 connections alive. moto's WSGI app is served here by
waitress (pinned in the justfile), which keeps them alive too, so that what
orgrole does with connections (reuse, open file descriptors) shows as on AWS.

moto_stacksets (next to this file) patches moto so that service-managed
StackSets behave as on AWS (docs/moto-stacksets.md, section "Patches");
MOTO_STACKSET_RUNNING_POLLS and MOTO_STACKSET_OPERATIONS_ORDER tune it."""

import logging
import sys
import threading

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import moto_stacksets  # noqa: E402,F401  (importing installs the patches)
import waitress  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app  # noqa: E402

# No request log or tracebacks of unimplemented calls: the output is orgrole's.
logging.disable(logging.CRITICAL)
port = int(sys.argv[1])
app = DomainDispatcherApplication(create_backend_app)
# Enough threads and connections for the tests running at once, each with
# its own kept-alive connections.
server = waitress.create_server(
    app, host="127.0.0.1", port=port, threads=16, connection_limit=1000, channel_timeout=120, ident="moto"
)
threading.Thread(target=server.run, daemon=True).start()
print(f"moto listening on http://127.0.0.1:{port}", flush=True)
sys.stdin.read()
server.close()
