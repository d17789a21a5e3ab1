"""Runs the moto AWS emulator on 127.0.0.1:PORT until standard input closes,
so that it ends with the process that started it (a test run or the demo).

moto's own server answers each request on a fresh connection and closes it;
AWS keeps HTTP/1.1 connections alive. moto's WSGI app is served here by
waitress (pinned in the justfile), which keeps them alive too, so that what
orgrole does with connections (reuse, open file descriptors) shows as on AWS.

Two fixes make moto 5.2.5 do what AWS does when a stack set's instances are
deleted (docs/moto-stacksets.md, section 4), so that offboarding can be shown:
- DeleteStackInstances of a service-managed stack set deletes by OU
  (DeploymentTargets); moto reads only the top-level Accounts and deleted
  nothing. The OUs are expanded as moto's own CreateStackInstances expands
  them (the OUs and their child OUs), so a delete removes what the create made.
- Deleting a stack's AWS::IAM::ManagedPolicy detaches it from its roles and
  deletes it; moto's has no delete, so the role's delete then failed with
  DeleteConflict and the instance stayed."""

import logging
import sys

from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.iam.models import ManagedPolicy
import threading

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

_delete_stack_instances = CloudFormationResponse.delete_stack_instances


def delete_stack_instances_by_ou(self):
    targets = self._get_params().get("DeploymentTargets") or {}
    ous = targets.get("OrganizationalUnitIds", [])
    if not ous or self._get_param("Accounts", []):
        return _delete_stack_instances(self)
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    org = stackset.instances.org_backend
    units = ous + [ou.id for ou in org.ou if ou.parent_id in ous]
    accounts = [a.id for a in org.accounts if a.parent_id in units]
    stackset.delete_stack_instances(accounts, self._get_param("Regions", []))
    return ActionResult({"OperationId": stackset.operations[-1]["OperationId"]})


CloudFormationResponse.delete_stack_instances = delete_stack_instances_by_ou


def delete_managed_policy(self, account_id, region_name):
    for role in list(self.backend.roles.values()):
        if self.arn in role.managed_policies:
            self.backend.detach_role_policy(self.arn, role.name)
    self.backend.delete_policy(self.arn)


ManagedPolicy.delete = delete_managed_policy

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
