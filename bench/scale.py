"""Scale benchmark of orgrole's direct mode on the local AWS emulator (moto).

    just bench            # organizations of 100 and 1,000 accounts
    just bench 100        # a quick run
    .venv/bin/python bench/scale.py --sizes 100 1000   (after building
        target/release/orgrole and target/release/examples/fault-proxy)

For each size N, on one moto server, it seeds organizations of N target
accounts (the management account plus N-1 members spread over OUs nested three
levels deep, about ten accounts per OU; seeding is not timed) and measures:

- orgrole: cold `plan`, `apply --auto-approve`, no-op `plan
  --detailed-exitcode` (must exit 0) and `destroy --auto-approve`: wall time,
  AWS API calls (counted from `ORGROLE_LOG=orgrole::api=debug`), calls per
  account, and the peak RSS of the orgrole process.
- baseline: the same phases as the "manual procedure", `bench/manual.py`, a
  plain sequential boto3 script making the same calls, on a second, identically
  seeded organization (so that moto's cost of a first request in a new account
  hits it as it hits orgrole).
- ceiling: the fastest moto answers the no-op plan's calls. The exact requests
  of orgrole's no-op plan are built and signed beforehand, then sent raw from K
  parallel threads (K in 4, 8, 16, 32; the best rate counts). Each phase's
  "ceiling time" is its call count divided by that rate.
- latency: the no-op plan again, through `fault-proxy --delay-ms 50`, against
  the larger of (calls x 50 ms / parallelism) and (calls / ceiling rate).

It prints a table and writes bench/RESULTS.md, with the machine described.
Standard library plus boto3/botocore only; everything talks to 127.0.0.1.
"""

import argparse
import collections
import concurrent.futures
import datetime
import http.client
import json
import math
import os
import pathlib
import platform
import random
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import boto3
import botocore.config
import moto

ROOT = pathlib.Path(__file__).resolve().parent.parent
ORGROLE = ROOT / "target/release/orgrole"
FAULT_PROXY = ROOT / "target/release/examples/fault-proxy"
MANUAL = ROOT / "bench/manual.py"
RESULTS = ROOT / "bench/RESULTS.md"
PYTHON = sys.executable

ROLE = "radiant-aws-api-access-role"
POLICY = "radiant-aws-api-access-policy"
ACCESS_ROLE = "OrganizationAccountAccessRole"
EXTERNAL_ID = "6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11"
PARALLELISM = 16  # orgrole's default, passed explicitly
DELAY_MS = 50
CEILING_THREADS = (4, 8, 16, 32)
ACCOUNTS_PER_OU = 10
OU_DEPTH = 3
# moto pages organizations lists at 20: more per parent would make orgrole
# send more requests than it logs calls, and the ceiling would miss them.
MOTO_PAGE = 20

# examples/organization.kdl without the exclude line.
CONFIG = f"""\
credential "AWS API Credentials" {{
    external-id env="RS_CREDENTIAL_ID"
}}

role "{ROLE}" {{
    trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    policy "{POLICY}" preset="radiant"
    tags {{ owner "secops" }}
}}

direct {{
    organization
}}
"""

CALL_LINE = re.compile(r"orgrole::api: call (\S+) account=(\S+)")
PHASES = ("cold plan", "apply", "no-op plan", "destroy")


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- processes


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(argv, pattern, timeout=30, env=None):
    """Starts a server that runs until its stdin closes; returns (process, URL)
    once it printed the line matching `pattern` (with the URL in group 1)."""
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sel.select(timeout=deadline - time.monotonic()):
            line = proc.stdout.readline()
            if not line:
                break
            m = re.search(pattern, line)
            if m:
                return proc, m.group(1)
    stop_server(proc)
    raise BenchError(f"{argv[0]} did not start within {timeout} s")


def stop_server(proc):
    """Closing stdin is the servers' signal to end; kill if they do not."""
    try:
        proc.stdin.close()
        proc.wait(timeout=10)
    except (subprocess.TimeoutExpired, OSError):
        proc.kill()
        proc.wait()


# Runs a program and writes "<wall s> <peak RSS KiB>" to the file argv[1].
# Why a launcher: a child's ru_maxrss counts the memory of the process it was
# forked from (Linux folds the old address space's high-water mark in at exec),
# so a child of this benchmark, which holds boto3 and its clients, would show
# the benchmark's RSS. Forked from this small interpreter (python -I -S),
# the floor is the launcher's few MiB, printed as "launcher floor".
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    f.write(f"{wall} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(argv, env, cwd, timeout):
    """Runs a program to its end: (exit code, wall s, peak RSS MiB, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as usage:
        launcher = [PYTHON, "-I", "-S", "-c", LAUNCHER, usage.name, str(argv[0]), *map(str, argv[1:])]
        proc = subprocess.Popen(
            launcher, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            raise BenchError(f"{argv[0]} {' '.join(argv[1:])} took more than {timeout} s")
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        measured = pathlib.Path(usage.name).read_text().split()
        if len(measured) != 2:
            raise BenchError(f"the launcher of {argv[0]} failed (exit {code}): {stderr[-2000:]}")
        return code, float(measured[0]), int(measured[1]) / 1024, stdout, stderr


def launcher_floor():
    """The peak RSS the launcher reports for a program that uses nearly none."""
    return run_measured(["/bin/true"], dict(os.environ), ROOT, 30)[2]


# ---------------------------------------------------------------- seeding


def client(endpoint, service, creds=None):
    kwargs = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    if creds:
        kwargs.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    return boto3.client(service, **kwargs)


def assume(endpoint, account, role, creds=None):
    arn = f"arn:aws:iam::{account}:role/{role}"
    return client(endpoint, "sts", creds).assume_role(RoleArn=arn, RoleSessionName="bench")["Credentials"]


def ou_branching(members):
    """Children per OU so that the OUs of a tree OU_DEPTH deep hold about
    ACCOUNTS_PER_OU accounts each."""
    wanted = members / ACCOUNTS_PER_OU
    return min(range(1, 20), key=lambda b: abs(sum(b**d for d in range(1, OU_DEPTH + 1)) - wanted))


def seed(endpoint, size):
    """A fresh management account (a random 12-digit ID, so nothing is shared
    with other organizations) with size-1 ACTIVE members spread round-robin
    over every OU of a tree OU_DEPTH deep. Returns the org as a dict."""
    management = f"{random.randrange(10**11, 10**12):012d}"
    creds = assume(endpoint, management, "bench-admin")
    org = client(endpoint, "organizations", creds)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    b = ou_branching(size - 1)
    ous, level = [], [root]
    for depth in range(1, OU_DEPTH + 1):
        children = []
        for parent in level:
            for i in range(b):
                ou = org.create_organizational_unit(ParentId=parent, Name=f"ou-{depth}-{len(children)}")
                children.append(ou["OrganizationalUnit"]["Id"])
        ous += children
        level = children
    per_parent = collections.Counter()
    accounts = [management]
    for i in range(size - 1):
        parent = ous[i % len(ous)]
        status = org.create_account(AccountName=f"member-{i}", Email=f"member-{i}-{management}@example.com")
        account = status["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account, SourceParentId=root, DestinationParentId=parent)
        per_parent[parent] += 1
        accounts.append(account)
    if max(per_parent.values(), default=0) > MOTO_PAGE or b > MOTO_PAGE:
        raise BenchError(f"more than {MOTO_PAGE} children in one OU: pick another tree shape")
    return {"management": management, "creds": creds, "accounts": accounts, "ous": len(ous), "branching": b}


def org_env(endpoint, org):
    """The environment orgrole and the manual script run with: the org's
    management credentials and nothing from the user's AWS configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID=org["creds"]["AccessKeyId"],
        AWS_SECRET_ACCESS_KEY=org["creds"]["SecretAccessKey"],
        AWS_SESSION_TOKEN=org["creds"]["SessionToken"],
        AWS_CONFIG_FILE="/dev/null",
        AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        AWS_EC2_METADATA_DISABLED="true",
        RS_CREDENTIAL_ID=EXTERNAL_ID,
        ORGROLE_LOG="orgrole::api=debug",
        NO_COLOR="1",
    )
    return env


# ---------------------------------------------------------------- orgrole


ORGROLE_ARGS = {
    "cold plan": (["plan"], {0}),
    "apply": (["apply", "--auto-approve"], {0}),
    "no-op plan": (["plan", "--detailed-exitcode"], {0}),
    "destroy": (["destroy", "--auto-approve"], {0}),
}


def run_orgrole(phase, env, workdir, timeout):
    """One orgrole phase: wall time, calls (as (operation, account) pairs), RSS."""
    args, ok = ORGROLE_ARGS[phase]
    argv = [str(ORGROLE), *args, "--parallelism", str(PARALLELISM)]
    code, wall, rss, out, err = run_measured(argv, env, workdir, timeout)
    if code not in ok:
        raise BenchError(f"orgrole {' '.join(args)} exited {code}\n--- stdout\n{out[-3000:]}\n--- stderr\n{err[-3000:]}")
    calls = CALL_LINE.findall(err)
    return {"wall": wall, "calls": len(calls), "ops": collections.Counter(op for op, _ in calls), "rss": rss, "log": calls}


# ---------------------------------------------------------------- baseline


MANUAL_PHASE = {"cold plan": "read", "apply": "apply", "no-op plan": "read", "destroy": "destroy"}


def run_manual(phase, env, timeout):
    argv = [PYTHON, str(MANUAL), MANUAL_PHASE[phase]]
    code, wall, rss, out, err = run_measured(argv, env, ROOT, timeout)
    if code != 0:
        raise BenchError(f"manual.py {MANUAL_PHASE[phase]} exited {code}\n{err[-3000:]}")
    answer = json.loads(out)
    ops = collections.Counter(answer["calls"])
    return {"wall": wall, "calls": sum(ops.values()), "ops": ops, "rss": rss, "setup": answer["setup_s"]}


# ---------------------------------------------------------------- ceiling


class Captured(Exception):
    """Raised from botocore's before-send hook: the signed request, unsent."""

    def __init__(self, request):
        self.request = request


def capture(request, **_):
    raise Captured(request)


class RequestBuilder:
    """Builds the signed HTTP requests of orgrole's calls without sending them,
    with botocore (one client per account credential, from one session so the
    service models load once)."""

    def __init__(self, endpoint, org):
        self.endpoint = endpoint
        self.org = org
        self.session = boto3.Session(region_name="us-east-1")
        self.clients = {}
        self.account_creds = {org["management"]: org["creds"]}

    def _client(self, service, account):
        key = (service, account)
        if key not in self.clients:
            if account not in self.account_creds:
                # Not timed: the credentials orgrole's AssumeRole would get.
                self.account_creds[account] = assume(self.endpoint, account, ACCESS_ROLE, self.org["creds"])
            c = self.account_creds[account]
            cl = self.session.client(
                service,
                endpoint_url=self.endpoint,
                aws_access_key_id=c["AccessKeyId"],
                aws_secret_access_key=c["SecretAccessKey"],
                aws_session_token=c["SessionToken"],
                config=botocore.config.Config(retries={"total_max_attempts": 1}),
            )
            cl.meta.events.register("before-send", capture)
            self.clients[key] = cl
        return self.clients[key]

    def build(self, operation, account):
        """(method, path, headers, body) of one call from orgrole's log line."""
        management = self.org["management"]
        service, op = operation.split(":")
        policy_arn = f"arn:aws:iam::{account}:policy/{POLICY}"
        calls = {
            "sts:GetCallerIdentity": (management, "get_caller_identity", {}),
            "sts:AssumeRole": (
                management,
                "assume_role",
                {"RoleArn": f"arn:aws:iam::{account}:role/{ACCESS_ROLE}", "RoleSessionName": "orgrole"},
            ),
            "organizations:DescribeOrganization": (management, "describe_organization", {}),
            "organizations:ListRoots": (management, "list_roots", {}),
            "organizations:ListOrganizationalUnitsForParent": (
                management,
                "list_organizational_units_for_parent",
                {"ParentId": account},
            ),
            "organizations:ListAccountsForParent": (management, "list_accounts_for_parent", {"ParentId": account}),
            "iam:GetRole": (account, "get_role", {"RoleName": ROLE}),
            "iam:ListAttachedRolePolicies": (account, "list_attached_role_policies", {"RoleName": ROLE}),
            "iam:GetPolicy": (account, "get_policy", {"PolicyArn": policy_arn}),
            # Right after one apply, the default version is v1.
            "iam:GetPolicyVersion": (account, "get_policy_version", {"PolicyArn": policy_arn, "VersionId": "v1"}),
        }
        if operation not in calls:
            raise BenchError(f"the ceiling does not know how to build {operation}")
        signer, method, params = calls[operation]
        try:
            getattr(self._client(service, signer), method)(**params)
        except Captured as c:
            r = c.request
            url = urllib.parse.urlsplit(r.url)
            path = url.path + (f"?{url.query}" if url.query else "")
            body = r.body.encode() if isinstance(r.body, str) else (r.body or b"")
            return (r.method, path, dict(r.headers.items()), body)
        raise BenchError(f"{operation} was sent instead of captured")


def send_all(host, port, requests):
    """Sends requests one after another on one keep-alive connection
    (http.client reconnects by itself when the server closes it);
    returns the number of answers that were not HTTP 200."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    failures = 0
    for method, path, headers, body in requests:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            failures += 1
    conn.close()
    return failures


def measure_ceiling(endpoint, requests, minimum=2000):
    """Best rate (calls/s) over K parallel raw clients. Small request sets
    are repeated to at least `minimum` requests, so the timing is not noise."""
    url = urllib.parse.urlsplit(endpoint)
    batch = requests * math.ceil(minimum / len(requests))
    rates = {}
    for k in CEILING_THREADS:
        chunks = [batch[i::k] for i in range(k)]
        with concurrent.futures.ThreadPoolExecutor(k) as pool:
            start = time.perf_counter()
            failures = sum(pool.map(lambda c: send_all(url.hostname, url.port, c), chunks))
            elapsed = time.perf_counter() - start
        if failures:
            raise BenchError(f"{failures} of {len(batch)} pre-built requests failed with {k} threads")
        rates[k] = len(batch) / elapsed
    return rates


# ---------------------------------------------------------------- one size


def bench_size(endpoint, size, timeout):
    print(f"\n== {size} accounts", flush=True)
    start = time.perf_counter()
    org = seed(endpoint, size)
    manual_org = seed(endpoint, size)
    seeding = time.perf_counter() - start
    print(
        f"seeded two organizations of {size} accounts ({org['ous']} OUs, {org['branching']} per parent, "
        f"{OU_DEPTH} levels) in {seeding:.1f} s (not timed)",
        flush=True,
    )
    result = {"size": size, "seeding": seeding, "ous": org["ous"], "orgrole": {}, "manual": {}}

    workdir = tempfile.mkdtemp(prefix=f"orgrole-bench-{size}-")
    (pathlib.Path(workdir) / "orgrole.kdl").write_text(CONFIG)
    env = org_env(endpoint, org)
    try:
        for phase in PHASES:
            if phase == "destroy":
                # The ceiling and the latency run need the applied organization.
                result["ceiling"] = ceiling_for(endpoint, org, result["orgrole"]["no-op plan"]["log"])
                result["latency"] = latency_plan(endpoint, env, workdir, timeout)
            r = run_orgrole(phase, env, workdir, timeout)
            result["orgrole"][phase] = r
            print(f"orgrole {phase:<10} {r['wall']:8.2f} s {r['calls']:6} calls {r['rss']:7.1f} MiB", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    menv = org_env(endpoint, manual_org)
    for phase in PHASES:
        r = run_manual(phase, menv, timeout)
        result["manual"][phase] = r
        print(
            f"manual  {phase:<10} {r['wall']:8.2f} s {r['calls']:6} calls "
            f"(of which {r['setup']:.2f} s creating boto3 Sessions and clients)",
            flush=True,
        )
    return result


def ceiling_for(endpoint, org, log):
    start = time.perf_counter()
    builder = RequestBuilder(endpoint, org)
    requests = [builder.build(op, account) for op, account in log]
    print(f"built {len(requests)} signed requests in {time.perf_counter() - start:.1f} s (not timed)", flush=True)
    rates = measure_ceiling(endpoint, requests)
    best = max(rates, key=rates.get)
    print("ceiling " + ", ".join(f"K={k}: {r:.0f}/s" for k, r in rates.items()) + f" (best K={best})", flush=True)
    return {"rates": rates, "threads": best, "rate": rates[best]}


def latency_plan(endpoint, env, workdir, timeout):
    """The no-op plan through the fault proxy, every call delayed DELAY_MS."""
    proxy, url = start_server(
        [str(FAULT_PROXY), "--upstream", endpoint, "--delay-ms", str(DELAY_MS)],
        r"fault-proxy listening on (http://127\.0\.0\.1:\d+)",
    )
    try:
        r = run_orgrole("no-op plan", {**env, "AWS_ENDPOINT_URL": url}, workdir, timeout)
    finally:
        stop_server(proxy)
    print(f"orgrole no-op plan +{DELAY_MS} ms/call {r['wall']:8.2f} s {r['calls']:6} calls", flush=True)
    return r


# ---------------------------------------------------------------- report


def machine():
    def first(path, key):
        try:
            for line in pathlib.Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
        except OSError:
            pass
        return "unknown"

    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip() or "unknown"
    mem_kib = first("/proc/meminfo", "MemTotal").split()[0]
    return {
        "CPUs (usable)": str(len(os.sched_getaffinity(0))),
        "CPU model": first("/proc/cpuinfo", "model name"),
        "RAM": f"{int(mem_kib) / 1024**2:.1f} GiB" if mem_kib.isdigit() else mem_kib,
        "OS": f"{first('/etc/os-release', 'PRETTY_NAME=')}, Linux {platform.release()}",
        "rustc": rustc,
        "Python": platform.python_version(),
        "moto": moto.__version__,
        "boto3": boto3.__version__,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def rows(results):
    for res in results:
        rate = res["ceiling"]["rate"]
        for phase in PHASES:
            o, m = res["orgrole"][phase], res["manual"][phase]
            ceiling = o["calls"] / rate
            yield [
                str(res["size"]),
                phase,
                f"{o['wall']:.2f}",
                str(o["calls"]),
                f"{o['calls'] / res['size']:.2f}",
                f"{o['rss']:.0f}",
                f"{m['wall']:.2f}",
                f"{m['setup']:.2f}",
                str(m["calls"]),
                f"{o['wall'] / m['wall']:.3f}",
                f"{ceiling:.2f}",
                f"{o['wall'] / ceiling:.2f}",
            ]


HEADER = [
    "accounts",
    "phase",
    "orgrole s",
    "calls",
    "calls/acct",
    "peak RSS MiB",
    "baseline s",
    "of which boto3 setup s",
    "baseline calls",
    "orgrole/baseline",
    "ceiling s",
    "orgrole/ceiling",
]


def targets(results):
    """The issue's two targets, per size: (description, measured, limit, pass)."""
    for res in results:
        n, rate = res["size"], res["ceiling"]["rate"]
        noop = res["orgrole"]["no-op plan"]
        limit = 1.5 * noop["calls"] / rate
        yield (f"{n}: no-op plan within 1.5x the ceiling time ({noop['calls']} calls / {rate:.0f}/s)", noop["wall"], limit)
        lat = res["latency"]
        bound = max(lat["calls"] * DELAY_MS / 1000 / PARALLELISM, lat["calls"] / rate)
        yield (
            f"{n}: no-op plan with {DELAY_MS} ms/call within 1.3x max({lat['calls']} x {DELAY_MS} ms / {PARALLELISM}, "
            f"{lat['calls']} / {rate:.0f}/s)",
            lat["wall"],
            1.3 * bound,
        )


def text_table(header, body):
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    line = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths]), *map(line, body)])


def md_table(header, body):
    return "\n".join(
        ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in body)]
    )


def call_mix(results):
    """Per phase, the calls of orgrole and of the baseline by operation, where they differ."""
    lines = []
    for res in results:
        for phase in PHASES:
            o, m = res["orgrole"][phase]["ops"], res["manual"][phase]["ops"]
            mix = ", ".join(f"{op} {o[op]}" + (f" (baseline {m[op]})" if m[op] != o[op] else "") for op in sorted(o))
            extra = [op for op in m if op not in o]
            mix += "".join(f", {op} 0 (baseline {m[op]})" for op in extra)
            lines.append(f"- {res['size']}, {phase}: {mix}")
    return "\n".join(lines)


def report(results, total, command, floor):
    body = list(rows(results))
    checks = [(d, v, lim, "pass" if v <= lim else "FAIL") for d, v, lim in targets(results)]
    print("\n" + text_table(HEADER, body))
    print()
    for d, v, lim, verdict in checks:
        print(f"{verdict}: {d}: {v:.2f} s (limit {lim:.2f} s)")
    print(f"\ntotal bench wall time {total:.0f} s; results in {RESULTS.relative_to(ROOT)}")

    m = machine()
    ceilings = "\n".join(
        f"- {r['size']} accounts: " + ", ".join(f"K={k} {v:.0f}/s" for k, v in r["ceiling"]["rates"].items())
        + f"; best {r['ceiling']['rate']:.0f} calls/s (K={r['ceiling']['threads']})"
        for r in results
    )
    seeding = "\n".join(
        f"- {r['size']} accounts ({r['ous']} OUs, {OU_DEPTH} levels): two organizations seeded in {r['seeding']:.0f} s"
        for r in results
    )
    latency = "\n".join(
        f"- {r['size']} accounts: {r['latency']['wall']:.2f} s, {r['latency']['calls']} calls, "
        f"peak RSS {r['latency']['rss']:.0f} MiB"
        for r in results
    )
    RESULTS.write_text(
        f"""# Scale benchmark: direct mode

Generated by `bench/scale.py` (`just bench`); do not edit by hand.

Command: `{command}`. Total wall time {total:.0f} s.

Each size is a fresh organization in one moto server: the management account
plus members spread over OUs nested {OU_DEPTH} levels deep (about
{ACCOUNTS_PER_OU} accounts per OU); every account is a target. orgrole runs
with `--parallelism {PARALLELISM}`; calls are counted from
`ORGROLE_LOG=orgrole::api=debug` (one per API operation, paginated lists
included once). The baseline is `bench/manual.py`, the same calls one after
another from a plain boto3 script, on a second, identically seeded
organization; it creates one boto3 Session per account credential, as a
person would, and the time that takes is shown apart. The ceiling is the fastest moto answered the no-op plan's exact
requests, pre-built and signed, from K parallel raw HTTP clients; "ceiling s"
is a phase's calls divided by that rate. Peak RSS is the orgrole process's own
(`wait4` in a small launcher; its floor, the launcher's, is {floor:.1f} MiB).

moto answers more slowly the more accounts it holds: each request's access key
is looked up by scanning every account's IAM backend
(`moto.iam.models.get_account_id_from`), and all sizes run on one server, so
the ceiling is measured at the point of the run where it is used, and the
larger sizes' absolute times are the emulator's more than orgrole's.

## Results

{md_table(HEADER, body)}

## Targets

| target | measured s | limit s | |
|---|---|---|---|
"""
        + "\n".join(f"| {d} | {v:.2f} | {lim:.2f} | {verdict} |" for d, v, lim, verdict in checks)
        + f"""

## Emulator ceiling

{ceilings}

## No-op plan with {DELAY_MS} ms injected per call (`fault-proxy --delay-ms {DELAY_MS}`)

{latency}

## Calls by operation (orgrole; the baseline's count where it differs)

{call_mix(results)}

## Seeding (not timed)

{seeding}

## Machine

"""
        + "\n".join(f"- {k}: {v}" for k, v in m.items())
        + "\n"
    )


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="target accounts per organization")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds any one measured run may take")
    args = parser.parse_args()
    if min(args.sizes) < 2:
        parser.error("sizes start at 2 (the management account and one member)")
    for path in (ORGROLE, FAULT_PROXY):
        if not path.exists():
            sys.exit(f"{path} is missing: cargo build --release --locked --bin orgrole --example fault-proxy")

    start = time.perf_counter()
    port = free_port()
    moto_proc, endpoint = start_server(
        [PYTHON, str(ROOT / "tests/it/support/moto_server.py"), str(port)], r"moto listening on (http://\S+)"
    )
    # Seeding and the ceiling's requests use the process's own boto3 calls.
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_CONFIG_FILE="/dev/null",
                      AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    os.environ.pop("AWS_PROFILE", None)
    print(f"moto {moto.__version__} at {endpoint}; MOTO_IAM_LOAD_MANAGED_POLICIES="
          f"{os.environ.get('MOTO_IAM_LOAD_MANAGED_POLICIES', '(unset)')}", flush=True)
    floor = launcher_floor()
    print(f"launcher floor of peak RSS: {floor:.1f} MiB", flush=True)
    try:
        results = [bench_size(endpoint, size, args.timeout) for size in args.sizes]
    finally:
        stop_server(moto_proc)
    command = f"just bench \"{' '.join(map(str, args.sizes))}\"" + f" (bench/scale.py {' '.join(sys.argv[1:])})"
    report(results, time.perf_counter() - start, command, floor)


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        sys.exit(f"bench failed: {e}")
