"""Plans a reviewer can read: the size of orgrole's plans and status on a large
organization, on the local AWS emulator (moto).

    .venv/bin/python bench/large_plans.py [--size 308] [--orgrole PATH]
    (after cargo build --release --locked --bin orgrole; `just bench` runs it)

On its own moto server (tests/it/support/moto_server.py), it seeds an
organization of `--size` accounts (the management account plus members over
OUs nested three levels deep, `scale.seed`), writes `scale.CONFIG` (direct
mode, `organization`) to a temporary directory and runs orgrole there:

1. the first plan, as Markdown (fewer than 10,000 characters) and as text
   (fewer than 150 lines);
2. `apply --auto-approve`, then `plan --detailed-exitcode` (exit 0);
3. drift in two member accounts by hand with boto3 (the policy detached from
   the role in one, an inline policy put on the role in the other), then
   `plan` as text and as Markdown: each must name both accounts;
4. `status` as text and Markdown (exit 1: two accounts drifted) and as JSON
   (exit 1), whose tree (`root`, its `accounts` and `units`, recursively)
   must hold every account of the organization exactly once;
5. `plan --destroy --format markdown` (fewer than 60,000 characters).

Every command is timed (wall seconds); `--save DIR` keeps each one's output
to read. It prints a table and puts a section
in bench/RESULTS.md (replacing the one an earlier run wrote); exits 1 if a
limit fails or a command exits other than expected. Standard library plus
boto3; everything talks to 127.0.0.1.
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import scale  # noqa: E402

ROOT = scale.ROOT
RESULTS = ROOT / "bench/RESULTS.md"
TITLE = "## Large plans (`bench/large_plans.py`)"
FIRST_PLAN_MARKDOWN_CHARS = 10_000
FIRST_PLAN_TEXT_LINES = 150
DESTROY_PLAN_MARKDOWN_CHARS = 60_000
INLINE_POLICY = "bench-backdoor"
BACKDOOR = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


class Run:
    """orgrole in one working directory with one environment; every command
    is kept (argv, exit code, wall s, stdout, stderr) for the report."""

    def __init__(self, binary, env, workdir, timeout, save=None):
        self.binary, self.env, self.workdir, self.timeout, self.save = binary, env, workdir, timeout, save
        self.count = 0

    def __call__(self, args, expect):
        argv = [str(self.binary), *args]
        start = time.perf_counter()
        try:
            proc = subprocess.run(
                argv, env=self.env, cwd=self.workdir, capture_output=True, text=True,
                stdin=subprocess.DEVNULL, timeout=self.timeout,
            )
        except subprocess.TimeoutExpired:
            raise scale.BenchError(f"orgrole {' '.join(args)} took more than {self.timeout:.0f} s")
        wall = time.perf_counter() - start
        self.count += 1
        if self.save:
            name = f"{self.count:02d}-{'-'.join(a.lstrip('-') for a in args)}.out"
            (self.save / name).write_text(proc.stdout)
        if proc.returncode != expect:
            raise scale.BenchError(
                f"orgrole {' '.join(args)} exited {proc.returncode}, expected {expect}\n"
                f"--- stdout (tail)\n{proc.stdout[-3000:]}\n--- stderr (tail)\n{proc.stderr[-3000:]}"
            )
        print(f"orgrole {' '.join(args):<40} exit {proc.returncode}  {wall:7.2f} s  "
              f"{len(proc.stdout):7} chars  {lines(proc.stdout):5} lines", flush=True)
        return {"command": f"orgrole {' '.join(args)}", "code": proc.returncode, "wall": wall, "out": proc.stdout}


def lines(text):
    return len(text.splitlines())


# ---------------------------------------------------------------- drift


def member_iam(endpoint, org, account):
    """An IAM client in a member account, through its access role."""
    creds = scale.assume(endpoint, account, scale.ACCESS_ROLE, org["creds"])
    return scale.client(endpoint, "iam", creds)


def drift(endpoint, org):
    """Detaches the policy in one member, puts an inline policy in another
    (in another OU); returns their IDs (detached, inline)."""
    members = org["accounts"][1:]
    detached, inline = members[0], members[len(members) // 2]
    member_iam(endpoint, org, detached).detach_role_policy(
        RoleName=scale.ROLE, PolicyArn=f"arn:aws:iam::{detached}:policy/{scale.POLICY}"
    )
    member_iam(endpoint, org, inline).put_role_policy(
        RoleName=scale.ROLE, PolicyName=INLINE_POLICY, PolicyDocument=json.dumps(BACKDOOR)
    )
    print(f"drift: policy detached in {detached}, inline policy {INLINE_POLICY} put in {inline}", flush=True)
    return detached, inline


# ---------------------------------------------------------------- status JSON


def tree_units(unit):
    return 1 + sum(tree_units(u) for u in unit.get("units", []))


# ---------------------------------------------------------------- the run


class Checks:
    """The report's rows: step, command, figure, measured, limit, verdict, wall s."""

    def __init__(self):
        self.rows = []

    def figure(self, run, figure, measured, limit=None, ok=None):
        verdict = "" if ok is None else ("pass" if ok else "FAIL")
        self.rows.append([run["command"], figure, str(measured), limit or "", verdict, f"{run['wall']:.2f}"])

    def at_most(self, run, figure, measured, below):
        self.figure(run, figure, f"{measured:,}", f"< {below:,}", measured < below)

    def failed(self):
        return [r for r in self.rows if r[4] == "FAIL"]


def mentions(text, account):
    return len(re.findall(rf"(?<!\d){account}(?!\d)", text))


def names_both(checks, run, accounts):
    """Whether the output names each drifted account, and how often it does."""
    counts = {a: mentions(run["out"], a) for a in accounts}
    said = ", ".join(f"{a} x{n}" for a, n in counts.items())
    checks.figure(run, "names both drifted accounts (times named)", said, "each ≥ 1", all(counts.values()))


def bench(binary, size, timeout, save):
    port = scale.free_port()
    moto, endpoint = scale.start_server(
        [scale.PYTHON, str(ROOT / "tests/it/support/moto_server.py"), str(port)], r"moto listening on (http://\S+)"
    )
    checks = Checks()
    try:
        start = time.perf_counter()
        org = scale.seed(endpoint, size)
        print(f"seeded {len(org['accounts'])} accounts ({org['ous']} OUs, {org['branching']} per parent, "
              f"{scale.OU_DEPTH} levels) in {time.perf_counter() - start:.1f} s (not timed)", flush=True)
        env = scale.org_env(endpoint, org)
        env.pop("ORGROLE_LOG")  # the API log is stderr noise here
        with tempfile.TemporaryDirectory(prefix="orgrole-large-plans-") as workdir:
            pathlib.Path(workdir, "orgrole.kdl").write_text(scale.CONFIG)
            steps(Run(binary, env, workdir, timeout, save), endpoint, org, checks)
    finally:
        scale.stop_server(moto)
    return org, checks


def steps(orgrole, endpoint, org, checks):
    first_md = orgrole(["plan", "--format", "markdown"], 0)
    checks.at_most(first_md, "first plan, Markdown characters", len(first_md["out"]), FIRST_PLAN_MARKDOWN_CHARS)
    checks.figure(first_md, "first plan, Markdown lines", lines(first_md["out"]))
    first = orgrole(["plan"], 0)
    checks.at_most(first, "first plan, text lines", lines(first["out"]), FIRST_PLAN_TEXT_LINES)
    checks.figure(first, "first plan, text characters", f"{len(first['out']):,}")

    applied = orgrole(["apply", "--auto-approve"], 0)
    # The runner already failed on another exit code: a figure, not a check.
    checks.figure(applied, "exit code", applied["code"])
    noop = orgrole(["plan", "--detailed-exitcode"], 0)
    checks.figure(noop, "exit code (no changes)", noop["code"])

    drifted = drift(endpoint, org)
    text = orgrole(["plan"], 0)
    names_both(checks, text, drifted)
    checks.figure(text, "drift plan, text lines; characters", f"{lines(text['out'])}; {len(text['out']):,}")
    md = orgrole(["plan", "--format", "markdown"], 0)
    names_both(checks, md, drifted)
    checks.figure(md, "drift plan, Markdown characters; lines", f"{len(md['out']):,}; {lines(md['out'])}")

    status = orgrole(["status"], 1)
    checks.figure(status, "exit code (two drifted)", status["code"])
    checks.figure(status, "status text lines; characters", f"{lines(status['out'])}; {len(status['out']):,}")
    names_both(checks, status, drifted)
    status_json(checks, orgrole(["status", "--format", "json"], 1), org)
    status_md = orgrole(["status", "--format", "markdown"], 1)
    checks.figure(status_md, "status Markdown characters; lines", f"{len(status_md['out']):,}; {lines(status_md['out'])}")
    names_both(checks, status_md, drifted)

    destroy = orgrole(["plan", "--destroy", "--format", "markdown"], 0)
    checks.at_most(destroy, "destroy plan, Markdown characters", len(destroy["out"]), DESTROY_PLAN_MARKDOWN_CHARS)
    checks.figure(destroy, "destroy plan, Markdown lines", lines(destroy["out"]))


def status_json(checks, run, org):
    """The JSON tree holds every seeded account exactly once."""
    try:
        doc = json.loads(run["out"])
    except json.JSONDecodeError as e:
        checks.figure(run, "status JSON parses", f"no: {e}", "yes", False)
        return
    ids = [a["id"] for a in walk(doc["root"])]
    seeded = set(org["accounts"])
    checks.figure(run, "status JSON characters", f"{len(run['out']):,}")
    checks.figure(run, "accounts in the JSON tree (units incl. root)", f"{len(ids)} ({tree_units(doc['root'])})",
                  f"= {len(seeded)} seeded", len(ids) == len(seeded))
    checks.figure(run, "distinct, and exactly the seeded ones", len(set(ids)), f"= {len(seeded)}",
                  len(set(ids)) == len(ids) and set(ids) == seeded)
    drifted = sum(1 for a in walk(doc["root"]) if a.get("coverage") == "drifted")
    checks.figure(run, "accounts drifted; outside; in_sync", f"{drifted}; {len(doc.get('outside', []))}; "
                  f"{json.dumps(doc.get('in_sync'))}", "2; 0; false",
                  drifted == 2 and not doc.get("outside") and doc.get("in_sync") is False)


def walk(unit):
    yield from unit.get("accounts", [])
    for child in unit.get("units", []):
        yield from walk(child)


# ---------------------------------------------------------------- report


HEADER = ["command", "figure", "measured", "limit", "", "wall s"]


def version(binary):
    proc = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30)
    return proc.stdout.strip() or f"unknown (exit {proc.returncode})"


def section(org, checks, command, binary):
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{TITLE}\n\n"
        f"Run on {date}: `{command}` ({version(binary)}), on its own moto {scale.moto.__version__} server. An organization of "
        f"{len(org['accounts'])} accounts (the management account and {len(org['accounts']) - 1} members over "
        f"{org['ous']} OUs, {scale.OU_DEPTH} levels), direct mode on `organization` (`scale.CONFIG`): the first "
        "plan, apply, a no-op plan, then two members drifted by hand (the policy detached from the role in one, "
        f"an inline policy `{INLINE_POLICY}` allowing `s3:*` on the role in the other), the plan and `status` "
        "of that, and the destroy plan. Sizes are of standard output.\n\n"
        + scale.md_table(HEADER, checks.rows)
        + "\n"
    )


def write_results(text):
    """Replaces this script's section of RESULTS.md, or appends it."""
    old = RESULTS.read_text() if RESULTS.exists() else ""
    pattern = re.compile(rf"^{re.escape(TITLE)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(old):
        new = pattern.sub(lambda _: text + "\n", old, count=1).rstrip("\n") + "\n"
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text
    RESULTS.write_text(new)


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=308, help="accounts in the organization, the management one included")
    parser.add_argument("--orgrole", type=pathlib.Path, default=scale.ORGROLE, help="the binary (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds any one command may take")
    parser.add_argument("--save", type=pathlib.Path, help="a directory to write each command's output to, for reading")
    args = parser.parse_args()
    if args.size < 3:
        parser.error("--size starts at 3 (the management account and two members to drift)")
    binary = args.orgrole.resolve()
    if not binary.exists():
        sys.exit(f"{binary} is missing: cargo build --release --locked --bin orgrole")
    # Seeding's first AssumeRole uses the process's own credentials (scale.py's way).
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_CONFIG_FILE="/dev/null",
                      AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    os.environ.pop("AWS_PROFILE", None)

    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
    org, checks = bench(binary, args.size, args.timeout, args.save and args.save.resolve())
    print("\n" + scale.text_table(HEADER, checks.rows))
    command = "bench/large_plans.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "bench/large_plans.py"
    write_results(section(org, checks, command, binary))
    failed = checks.failed()
    print(f"\n{len(failed)} of {sum(1 for r in checks.rows if r[4])} checks failed; results in "
          f"{RESULTS.relative_to(ROOT)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    try:
        main()
    except scale.BenchError as e:
        sys.exit(f"bench failed: {e}")
