"""The manual procedure, as a person would script it with boto3: the baseline
that `bench/scale.py` compares orgrole with.

    manual.py read|apply|destroy

Runs one phase, one call after another, against the organization of the
credentials in the environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), and
prints as JSON on stdout the API calls it made, {"service:Operation": count},
and the seconds it spent creating boto3 Sessions and clients.

It makes the calls orgrole makes: who am I, the organization walked level by
level, then for each ACTIVE account (assuming OrganizationAccountAccessRole in
every account but its own, with one boto3 Session per account credential) the
role, its attached policies, the policy and its default version; `apply`
then creates what is missing, `destroy` removes what is there.
"""

import collections
import json
import pathlib
import sys
import time

import boto3

ROLE = "radiant-aws-api-access-role"
POLICY = "radiant-aws-api-access-policy"
ACCESS_ROLE = "OrganizationAccountAccessRole"
TAGS = [{"Key": "managed-by", "Value": "orgrole"}, {"Key": "owner", "Value": "secops"}]
TRUST_PRINCIPAL = "arn:aws:sts::649384204969:assumed-role/tenant-aws-access-role/radiant-security"
# The guide's 66-action document, the one orgrole's preset="radiant" writes.
POLICY_DOCUMENT = json.loads(
    (pathlib.Path(__file__).resolve().parent.parent / "src/config/presets/radiant.json").read_text()
)

CALLS = collections.Counter()
SETUP = [0.0]  # seconds spent creating Sessions and clients


def count_call(event_name, **_):
    # before-call.<service>.<Operation>: once per API call, before any retry.
    _, service, operation = event_name.split(".")
    CALLS[f"{service.replace('-', '')}:{operation}"] += 1


def client(service, credentials=None, sessions={}):
    """A client from the Session of these credentials (one per credential, as
    a person writes it); the time it takes (boto3 loads its models again for
    every Session) is kept apart."""
    start = time.perf_counter()
    key = credentials["AccessKeyId"] if credentials else None
    if key not in sessions:
        sessions[key] = session(credentials)
    c = sessions[key].client(service)
    SETUP[0] += time.perf_counter() - start
    return c


def session(credentials=None):
    kwargs = {"region_name": "us-east-1"}
    if credentials:
        kwargs.update(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    s = boto3.Session(**kwargs)
    s.events.register("before-call", count_call)
    return s


def organization_accounts(org):
    """Every ACTIVE account, walking the OUs level by level."""
    org.describe_organization()
    root = org.list_roots()["Roots"][0]["Id"]
    accounts, level = [], [root]
    while level:
        next_level = []
        for parent in level:
            for page in org.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
                next_level += [ou["Id"] for ou in page["OrganizationalUnits"]]
            for page in org.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
                accounts += [a["Id"] for a in page["Accounts"] if a.get("State", a.get("Status")) == "ACTIVE"]
        level = next_level
    return accounts


def read(iam, account):
    """What is there: (role exists, attached policy ARNs, policy exists)."""
    arn = f"arn:aws:iam::{account}:policy/{POLICY}"
    role, attached, policy = False, [], False
    try:
        iam.get_role(RoleName=ROLE)
        role = True
        attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]]
    except iam.exceptions.NoSuchEntityException:
        pass
    try:
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        iam.get_policy_version(PolicyArn=arn, VersionId=version)
        policy = True
    except iam.exceptions.NoSuchEntityException:
        pass
    return role, attached, policy


def apply(iam, account, role, attached, policy):
    arn = f"arn:aws:iam::{account}:policy/{POLICY}"
    if not policy:
        iam.create_policy(
            PolicyName=POLICY, PolicyDocument=json.dumps(POLICY_DOCUMENT), Description="manual", Tags=TAGS
        )
    if not role:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": TRUST_PRINCIPAL},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": "bench-external-id"}},
                }
            ],
        }
        iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust), Description="manual", Tags=TAGS)
    if arn not in attached:
        iam.attach_role_policy(RoleName=ROLE, PolicyArn=arn)


def destroy(iam, account, role, attached, policy):
    arn = f"arn:aws:iam::{account}:policy/{POLICY}"
    if role:
        for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=ROLE, PolicyArn=p["PolicyArn"])
        for name in iam.list_role_policies(RoleName=ROLE)["PolicyNames"]:
            iam.delete_role_policy(RoleName=ROLE, PolicyName=name)
        iam.delete_role(RoleName=ROLE)
    if policy:
        for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
            if not v["IsDefaultVersion"]:
                iam.delete_policy_version(PolicyArn=arn, VersionId=v["VersionId"])
        iam.delete_policy(PolicyArn=arn)


def main(phase):
    sts = client("sts")
    me = sts.get_caller_identity()["Account"]
    for account in organization_accounts(client("organizations")):
        if account == me:
            iam = client("iam")
        else:
            role_arn = f"arn:aws:iam::{account}:role/{ACCESS_ROLE}"
            creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="manual")["Credentials"]
            iam = client("iam", creds)
        found = read(iam, account)
        if phase == "apply":
            apply(iam, account, *found)
        elif phase == "destroy":
            destroy(iam, account, *found)
    json.dump({"calls": dict(CALLS), "setup_s": SETUP[0]}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("read", "apply", "destroy"):
        sys.exit(__doc__)
    main(sys.argv[1])
