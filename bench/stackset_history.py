"""The calls a StackSet plan makes on a stack set with a long operation
history (AWS keeps 90 days of it; ListStackSetOperations pages 100 at most
and has no filter), on moto patched as AWS pages (tests/it/support/moto_stacksets.py).

    .venv/bin/python bench/stackset_history.py [--history 250] [--orgrole PATH ...]
    (after cargo build --release --locked --bin orgrole --example fault-proxy;
    `just bench` runs it)

For each `--orgrole` binary (default: target/release/orgrole; give an older
build to compare) and each listing order (newest first, which AWS is taken
to give, and oldest first), on an organization with one targeted OU: apply,
then `--history` UpdateStackSet operations run to their end by boto3, then
one no-op `orgrole plan`, through the fault proxy. Prints its CloudFormation
calls as orgrole logs them (ORGROLE_LOG=orgrole::api=debug: one line per call,
and before this change a paginator's pages were one call) and the HTTP
requests the proxy counted; appends to bench/RESULTS.md.
"""

import argparse
import collections
import os
import pathlib
import random
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import connections  # noqa: E402
import scale  # noqa: E402

ROOT = scale.ROOT
CONFIG = """credential "AWS API Credentials" {{ external-id env="RS_CREDENTIAL_ID"; }}
role "radiant-aws-api-access-role" {{
    trust "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
    policy "radiant-aws-api-access-policy" preset="radiant"
}}
stackset "radiant-aws-api-access" {{
    ou "{ou}"
    regions "us-east-1"
}}
"""


def seed(endpoint):
    """A management account with three members in one OU; returns (creds, OU id)."""
    management = f"{random.randrange(10**11, 10**12):012d}"
    creds = scale.assume(endpoint, management, "bench-admin")
    org = scale.client(endpoint, "organizations", creds)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ou = org.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
    for i in range(3):
        account = org.create_account(AccountName=f"m{i}", Email=f"m{i}-{management}@example.com")
        account_id = account["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=ou)
    return {"management": management, "creds": creds}, ou


def history(endpoint, org, count):
    """`count` UpdateStackSet operations, each polled to its end."""
    cfn = scale.client(endpoint, "cloudformation", org["creds"])
    for _ in range(count):
        op = cfn.update_stack_set(StackSetName="radiant-aws-api-access", UsePreviousTemplate=True)["OperationId"]
        for _ in range(20):
            status = cfn.describe_stack_set_operation(StackSetName="radiant-aws-api-access", OperationId=op)
            if status["StackSetOperation"]["Status"] not in ("RUNNING", "QUEUED"):
                break


def orgrole(binary, args, env, cwd):
    proc = subprocess.run([binary, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise scale.BenchError(f"orgrole {' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return proc.stderr


def calls(stderr):
    return collections.Counter(m.group(1) for m in re.finditer(r"call (\S+)", stderr))


def measure(binary, order, count, apply_with):
    env = {**os.environ, "MOTO_STACKSET_OPERATIONS_ORDER": order}
    port = scale.free_port()
    proc, endpoint = scale.start_server(
        [scale.PYTHON, str(ROOT / "tests/it/support/moto_server.py"), str(port)],
        r"moto listening on (http://\S+)",
        env=env,
    )
    try:
        org, ou = seed(endpoint)
        with tempfile.TemporaryDirectory() as workdir:
            pathlib.Path(workdir, "orgrole.kdl").write_text(CONFIG.format(ou=ou))
            run_env = scale.org_env(endpoint, org)
            orgrole(apply_with, ["apply", "--auto-approve"], run_env, workdir)
            history(endpoint, org, count)
            # The fault proxy counts HTTP requests: orgrole's log has one line per
            # call, and a paginator's pages were one call.
            counter, url = connections.proxy(endpoint)
            seen = calls(orgrole(binary, ["plan"], scale.org_env(url, org), workdir))
            requests = connections.proxy_counts(counter)["calls"]
    finally:
        scale.stop_server(proc)
    cfn = {k.split(":", 1)[1]: v for k, v in sorted(seen.items()) if k.startswith("cloudformation:")}
    return cfn, requests


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, default=250)
    release = str(ROOT / "target/release/orgrole")
    parser.add_argument("--orgrole", action="append", help=f"binaries to compare (default {release})")
    args = parser.parse_args()
    # moto's credentials for the first AssumeRole (scale.seed's way).
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    binaries = args.orgrole or [release]
    lines = [
        f"\n## StackSet plan on a history of {args.history} operations (bench/stackset_history.py)\n",
        "| orgrole | listing order | CloudFormation calls orgrole logged | HTTP requests of the plan |",
        "|---|---|---|---|",
    ]
    for binary in binaries:
        for order in ("newest", "oldest"):
            # The apply is the newest binary's: an older one may not know trusted access.
            cfn, total = measure(binary, order, args.history, binaries[-1])
            text = ", ".join(f"{op} {n}" for op, n in cfn.items())
            lines.append(f"| {binary} | {order} first | {text} | {total} |")
            print(lines[-1], flush=True)
    with open(ROOT / "bench/RESULTS.md", "a") as results:
        results.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
