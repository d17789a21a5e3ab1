"""What orgrole does with connections, memory, throttling and expiring
sessions, on moto served with HTTP/1.1 keep-alive (as AWS serves), through
the fault proxy (which counts the connections it accepts).

    .venv/bin/python bench/connections.py --size 300 [--orgrole PATH]
    (after cargo build --release --locked --bin orgrole --example fault-proxy;
    `just bench` runs it after bench/scale.py)

On an organization of `size` accounts (seeded as bench/scale.py seeds) it
measures, and appends to bench/RESULTS.md:

- cold plan: calls, TCP connections opened, peak open file descriptors
  (sampled from /proc every 2 ms), peak RSS, and RSS per account (against
  the same plan of a 10-account organization);
- under a token bucket of `--rate` calls/s per service and caller (the
  fault proxy's): an apply repairing 20 accounts (their role deleted by
  hand) after a full apply: exit code, wall time against its floor (the
  busiest bucket's calls / rate), throttled calls per successful call;
- sessions that expire `--expire-s` after AssumeRole, every call delayed
  `--delay-ms`, `--parallelism 4`: the same repair, its exit code and wall
  time, and whether the next plan is empty.
"""

import argparse
import collections
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import scale  # noqa: E402

ROOT = scale.ROOT
REPAIRED = 20


def measure(argv, env, cwd, timeout):
    """Runs orgrole: (exit code, wall s, peak fds, peak RSS MiB, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        peak_fds, rss = 0, 0
        deadline = time.monotonic() + timeout
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                peak_fds = max(peak_fds, len(os.listdir(f"/proc/{proc.pid}/fd")))
                # VmHWM: this process's own peak (ru_maxrss would count the
                # benchmark's, which it was forked from).
                status_text = pathlib.Path(f"/proc/{proc.pid}/status").read_text()
                hwm = next(line for line in status_text.splitlines() if line.startswith("VmHWM:"))
                rss = max(rss, int(hwm.split()[1]) / 1024)
            except (FileNotFoundError, ProcessLookupError, StopIteration):
                pass
            if time.monotonic() > deadline:
                proc.kill()
                raise scale.BenchError(f"{argv} took more than {timeout} s")
            time.sleep(0.002)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        return proc.returncode, wall, peak_fds, rss, err.read().decode()


def proxy(endpoint, *flags):
    return scale.start_server(
        [str(scale.FAULT_PROXY), "--upstream", endpoint, *flags], r"fault-proxy listening on (http://\S+)"
    )


def proxy_counts(proc):
    proc.stdin.close()
    line = proc.stdout.readline()
    proc.wait(timeout=10)
    return json.loads(line)


def orgrole_in(org, endpoint, workdir):
    """The environment for orgrole against `endpoint`, with the configuration in `workdir`."""
    env = scale.org_env(endpoint, org)
    (workdir / "orgrole.kdl").write_text(scale.CONFIG)
    return env


def cold_plan(endpoint, org, orgrole, timeout):
    work = pathlib.Path(tempfile.mkdtemp())
    proc, url = proxy(endpoint)
    env = orgrole_in(org, url, work)
    code, wall, fds, rss, err = measure([orgrole, "plan", "--parallelism", str(scale.PARALLELISM)], env, work, timeout)
    counts = proxy_counts(proc)
    calls = len(scale.CALL_LINE.findall(err))
    return {"code": code, "wall": wall, "fds": fds, "rss": rss, "calls": calls, "connections": counts["connections"]}


def delete_roles(endpoint, org, accounts):
    """A person deletes the role (detached first) in each of `accounts`."""
    for account in accounts:
        creds = scale.assume(endpoint, account, scale.ACCESS_ROLE, org["creds"])
        iam = scale.client(endpoint, "iam", creds)
        for p in iam.list_attached_role_policies(RoleName=scale.ROLE)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=scale.ROLE, PolicyArn=p["PolicyArn"])
        iam.delete_role(RoleName=scale.ROLE)


def floor(err, rate):
    """The busiest bucket's calls / rate: the caller's STS and Organizations
    calls, or one account's IAM calls."""
    buckets = collections.Counter()
    for op, account in scale.CALL_LINE.findall(err):
        service = op.split(":")[0]
        caller = service in ("sts", "organizations", "cloudformation") or account == "caller"
        buckets[(service, "caller" if caller else account)] += 1
    return max(buckets.values()) / rate


def repair(endpoint, org, orgrole, timeout, flags, extra_args):
    """A full apply (straight to moto), REPAIRED roles deleted, then the
    repairing apply through a proxy with `flags`, then a plan."""
    work = pathlib.Path(tempfile.mkdtemp())
    env = orgrole_in(org, endpoint, work)
    code, *_ = measure([orgrole, "apply", "--auto-approve"], env, work, timeout)
    if code != 0:
        raise scale.BenchError("the full apply failed")
    delete_roles(endpoint, org, org["accounts"][1 : REPAIRED + 1])
    proc, url = proxy(endpoint, *flags)
    env = orgrole_in(org, url, work)
    code, wall, _, _, err = measure([orgrole, "apply", "--auto-approve", *extra_args], env, work, timeout)
    counts = proxy_counts(proc)
    errors = sorted({line.split("Error: ", 1)[1][:160] for line in err.splitlines() if "Error: " in line})
    errors += [line for line in err.splitlines() if line.startswith("Retried ")]
    env = orgrole_in(org, endpoint, work)
    after, *_ = measure([orgrole, "plan", "--detailed-exitcode"], env, work, timeout)
    # The state's resources stay for the next run: destroy them.
    measure([orgrole, "destroy", "--auto-approve"], env, work, timeout)
    return {"code": code, "wall": wall, "counts": counts, "err": err, "errors": errors[:3], "next_plan": after}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=300)
    parser.add_argument("--orgrole", default=str(scale.ORGROLE))
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--expire-s", type=float, default=20.0)
    parser.add_argument("--delay-ms", type=float, default=150.0)
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--no-results", action="store_true", help="print only, do not write bench/RESULTS.md")
    args = parser.parse_args()
    args.orgrole = os.path.abspath(args.orgrole)
    port = scale.free_port()
    moto_proc, endpoint = scale.start_server(
        [scale.PYTHON, str(ROOT / "tests/it/support/moto_server.py"), str(port)], r"moto listening on (http://\S+)"
    )
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_CONFIG_FILE="/dev/null",
                      AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_EC2_METADATA_DISABLED="true")
    os.environ.pop("AWS_PROFILE", None)
    try:
        small = scale.seed(endpoint, 10)
        org = scale.seed(endpoint, args.size)
        base = cold_plan(endpoint, small, args.orgrole, args.timeout)
        plan = cold_plan(endpoint, org, args.orgrole, args.timeout)
        per_account = (plan["rss"] - base["rss"]) * 1024 / (args.size - 10)
        print(f"cold plan, {args.size} accounts: exit {plan['code']}, {plan['wall']:.1f} s, {plan['calls']} calls, "
              f"{plan['connections']} connections, peak {plan['fds']} open fds, peak RSS {plan['rss']:.1f} MiB "
              f"({per_account:.1f} KiB per account over the 10-account plan's {base['rss']:.1f} MiB)", flush=True)
        rated = repair(endpoint, org, args.orgrole, args.timeout, ["--rate", str(args.rate)], [])
        c = rated["counts"]
        per_success = c["throttled"] / max(1, c["calls"] - c["throttled"])
        bound = floor(rated["err"], args.rate)
        print(f"repair of {REPAIRED} under {args.rate:g} calls/s per service and caller: exit {rated['code']}, "
              f"{rated['wall']:.1f} s against a floor of {bound:.1f} s ({rated['wall'] / bound:.2f}x), "
              f"{c['throttled']} throttled of {c['calls']} calls ({per_success:.2f} per success), next plan exit "
              f"{rated['next_plan']} {rated['errors']}", flush=True)
        expiring = repair(endpoint, org, args.orgrole, args.timeout,
                          ["--expire-s", str(args.expire_s), "--delay-ms", str(args.delay_ms)], ["--parallelism", "4"])
        print(f"repair of {REPAIRED} with sessions of {args.expire_s:g} s, {args.delay_ms:g} ms per call, "
              f"--parallelism 4: exit {expiring['code']}, {expiring['wall']:.1f} s, "
              f"{expiring['counts']['expired']} calls with an expired session, next plan exit "
              f"{expiring['next_plan']} {expiring['errors']}", flush=True)
    finally:
        scale.stop_server(moto_proc)
    if not args.no_results:
        with open(scale.RESULTS, "a") as f:
            f.write(
                f"\n## Connections, memory, throttling, expiring sessions ({args.size} accounts; "
                f"`bench/connections.py --size {args.size}`)\n\n"
                f"| measure | value |\n|---|---|\n"
                f"| cold plan: wall, calls | {plan['wall']:.1f} s, {plan['calls']} |\n"
                f"| cold plan: TCP connections opened | {plan['connections']} |\n"
                f"| cold plan: peak open file descriptors | {plan['fds']} |\n"
                f"| cold plan: peak RSS, per account | {plan['rss']:.1f} MiB, {per_account:.1f} KiB |\n"
                f"| repair of {REPAIRED} under {args.rate:g} calls/s per service and caller | exit {rated['code']}, "
                f"{rated['wall']:.1f} s ({rated['wall'] / bound:.2f}x the floor of {bound:.1f} s), "
                f"{per_success:.2f} throttled calls per success |\n"
                f"| repair of {REPAIRED}, sessions of {args.expire_s:g} s, {args.delay_ms:g} ms per call, "
                f"--parallelism 4 | exit {expiring['code']}, {expiring['wall']:.1f} s, next plan exit "
                f"{expiring['next_plan']} |\n"
            )


if __name__ == "__main__":
    try:
        main()
    except scale.BenchError as e:
        sys.exit(f"bench failed: {e}")
