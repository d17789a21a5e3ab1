"""Runs the moto AWS emulator on 127.0.0.1:PORT until standard input closes,
so that it ends with the process that started it (a test run or the demo).

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
from moto.server import ThreadedMotoServer

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
server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
server.start()
print(f"moto listening on http://127.0.0.1:{port}", flush=True)
sys.stdin.read()
server.stop()
