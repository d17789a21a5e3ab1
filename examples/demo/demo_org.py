"""The demo organization on the local AWS emulator (moto), with boto3.

seed   creates an organization in a fresh management account: nested OUs,
       six member accounts, one of them suspended; prints shell `export`
       lines for the management account's credentials and the account IDs.
drift  makes out-of-band changes in three accounts, as a person in the console
       would: a trust policy pointed elsewhere, the policy detached, and an
       inline policy granting everything added to the role.
backdoor  does the same to the role a stack set made in two accounts: a second
       principal trusted without the external ID, and a policy granting
       everything attached.
"""

import json
import os
import random
import sys

import boto3

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
ROLE = "radiant-aws-api-access-role"
POLICY = "radiant-aws-api-access-policy"

# (name, OU path); the root holds the management account.
ACCOUNTS = [
    ("security-audit", "Security"),
    ("log-archive", "Security"),
    ("prod-payments", "Workloads/Prod"),
    ("prod-web", "Workloads/Prod"),
    ("dev-sandbox", "Workloads/Dev"),
    ("retired-project", "Workloads"),
]
SUSPENDED = "retired-project"


def client(service, creds=None):
    kwargs = {"endpoint_url": ENDPOINT, "region_name": "us-east-1"}
    if creds:
        kwargs.update(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    return boto3.client(service, **kwargs)


def assume(account, role, creds=None):
    out = client("sts", creds).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{role}", RoleSessionName="orgrole-demo"
    )
    return out["Credentials"]


def seed():
    management = f"{random.randrange(10**11, 10**12):012d}"
    creds = assume(management, "demo-admin")
    org = client("organizations", creds)
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    ous, ids = {}, {}
    for name, path in ACCOUNTS:
        parent, so_far = root, []
        for part in path.split("/"):
            so_far.append(part)
            key = "/".join(so_far)
            if key not in ous:
                ous[key] = org.create_organizational_unit(ParentId=parent, Name=part)[
                    "OrganizationalUnit"
                ]["Id"]
            parent = ous[key]
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")
        ids[name] = status["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=parent)
    org.close_account(AccountId=ids[SUSPENDED])
    print(f"export AWS_ACCESS_KEY_ID={creds['AccessKeyId']}")
    print(f"export AWS_SECRET_ACCESS_KEY={creds['SecretAccessKey']}")
    print(f"export AWS_SESSION_TOKEN={creds['SessionToken']}")
    print(f"export DEMO_MANAGEMENT={management}")
    for name, account in ids.items():
        print(f"export DEMO_{name.upper().replace('-', '_')}={account}")
    for path, ou in ous.items():
        print(f"export DEMO_OU_{path.upper().replace('/', '_')}={ou}")
    print(f"# seeded organization: management account {management}, OUs {json.dumps(ous)}", file=sys.stderr)


ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def iam_in(name):
    """IAM in the named demo account, through its OrganizationAccountAccessRole."""
    here = {
        "AccessKeyId": os.environ["AWS_ACCESS_KEY_ID"],
        "SecretAccessKey": os.environ["AWS_SECRET_ACCESS_KEY"],
        "SessionToken": os.environ["AWS_SESSION_TOKEN"],
    }
    account = os.environ[f"DEMO_{name.upper().replace('-', '_')}"]
    return client("iam", assume(account, "OrganizationAccountAccessRole", here)), account


def drift():
    web, _ = iam_in("prod-web")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::999999999999:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    web.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    print(f"drift: prod-web's {ROLE} now trusts arn:aws:iam::999999999999:root")
    audit, audit_account = iam_in("security-audit")
    audit.detach_role_policy(RoleName=ROLE, PolicyArn=f"arn:aws:iam::{audit_account}:policy/{POLICY}")
    print(f"drift: security-audit's {POLICY} detached from {ROLE}")
    payments, _ = iam_in("prod-payments")
    payments.put_role_policy(RoleName=ROLE, PolicyName="break-glass", PolicyDocument=json.dumps(ADMIN))
    print(f"drift: prod-payments's {ROLE} got an inline policy allowing everything")


def backdoor():
    audit, _ = iam_in("security-audit")
    trust = json.loads(json.dumps(audit.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]))
    trust["Statement"].append(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}
    )
    audit.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(trust))
    print(f"backdoor: security-audit's {ROLE} also trusts arn:aws:iam::999999999999:root, without an external ID")
    logs, _ = iam_in("log-archive")
    arn = logs.create_policy(PolicyName="full-admin", PolicyDocument=json.dumps(ADMIN))["Policy"]["Arn"]
    logs.attach_role_policy(RoleName=ROLE, PolicyArn=arn)
    print(f"backdoor: log-archive's {ROLE} got the customer-managed policy full-admin (everything) attached")


if __name__ == "__main__":
    {"seed": seed, "drift": drift, "backdoor": backdoor}[sys.argv[1]]()
