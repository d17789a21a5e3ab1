"""Patches that make moto 5.2.5's service-managed StackSets do what AWS does, so
that binary-level tests can go through a stack set's whole lifecycle. Importing
this module installs them (moto_server.py does). docs/moto-stacksets.md,
section "Patches", lists them; each one below names the AWS behaviour it stands
for, quoting the API reference (botocore's model) where it says it.

Environment:
- MOTO_STACKSET_RUNNING_POLLS (default 2): how many DescribeStackSetOperation
  calls see an operation RUNNING before it has SUCCEEDED; 0 = at once.
- MOTO_STACKSET_OPERATIONS_ORDER=oldest: ListStackSetOperations oldest first
  (default newest first)."""

import os
from functools import wraps

from moto.cloudformation.exceptions import CloudFormationError, StackSetNotFoundException, ValidationError
from moto.cloudformation.models import StackInstances
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow
from moto.iam.models import ManagedPolicy
from moto.organizations.exceptions import AWSOrganizationsNotInUseException, OrganizationsClientError
from moto.organizations.models import FakeDelegatedAdministrator, OrganizationsBackend, organizations_backends

STACKSETS_PRINCIPAL = "member.org.stacksets.cloudformation.amazonaws.com"
RUNNING_POLLS = int(os.environ.get("MOTO_STACKSET_RUNNING_POLLS", "2"))
OLDEST_FIRST = os.environ.get("MOTO_STACKSET_OPERATIONS_ORDER") == "oldest"

# The management accounts whose organization has trusted access (patch 2).
trusted_access: set[str] = set()


def management_account(account_id: str, partition: str) -> str | None:
    """The management account of account_id's organization (account_id itself if
    it is one), None outside any organization. moto keeps Organizations data in
    the management account's backend; master_accounts maps members to it."""
    if organizations_backends[account_id][partition].org:
        return account_id
    return organizations_backends.master_accounts.get(account_id, (None,))[0]


# Patch 1: deployment targets, as AWS resolves them.


def reached(org: OrganizationsBackend, targets: dict) -> list[str]:
    """The accounts that DeploymentTargets reach, for CreateStackInstances and
    DeleteStackInstances of a service-managed stack set. AWS:
    - OrganizationalUnitIds: "The organization root ID or organizational unit
      (OU) IDs where you want to perform stack operations. CloudFormation will
      perform operations on accounts within these OUs and their child OUs": at
      any depth (OUs nest up to five levels); the root reaches every account.
    - AccountFilterType with Accounts: NONE "all accounts in the specified
      OUs"; INTERSECTION "Only accounts that are both specified in the Accounts
      property and belong to the specified OUs"; DIFFERENCE "all accounts in the
      selected OUs except for specific accounts listed"; UNION "the specified
      OUs plus additional individual accounts listed in the Accounts property.
      This is the default value if AccountFilterType is not provided."
    - "CloudFormation doesn't deploy stack instances to the organization
      management account, even if the organization management account is in
      your organization or in an OU in your organization."
    - Accounts that are not ACTIVE are skipped (AWS reports
      SKIPPED_SUSPENDED_ACCOUNT: "skipped because the account was suspended at
      the time of the operation").
    - Each account once, also when one listed OU is inside another."""
    units = set(targets.get("OrganizationalUnitIds", []))
    while below := {ou.id for ou in org.ou if ou.parent_id in units} - units:
        units |= below
    listed = set(targets.get("Accounts", []))
    kind = targets.get("AccountFilterType") or ("UNION" if listed else "NONE")
    chosen = {
        "NONE": lambda a: a.parent_id in units,
        "INTERSECTION": lambda a: a.parent_id in units and a.id in listed,
        "DIFFERENCE": lambda a: a.parent_id in units and a.id not in listed,
        "UNION": lambda a: a.parent_id in units or a.id in listed,
    }[kind]
    # org is the management account's backend: org.account_id is that account.
    return [a.id for a in org.accounts if chosen(a) and a.state == "ACTIVE" and a.id != org.account_id]


def organization_of_stack_set(self: StackInstances) -> OrganizationsBackend:
    """AWS: a stack set's targets are in the organization of the account that
    owns it, also when that is a delegated administrator ("Your Amazon Web
    Services account must be registered as a delegated administrator in the
    management account"): its OUs are the management account's. moto looked in
    the owner's own (empty) Organizations data."""
    owner = management_account(self.account_id, self.partition) or self.account_id
    return organizations_backends[owner][self.partition]


_create_instances = StackInstances.create_instances


def create_instances_where_aws_deploys(self, accounts, regions, parameters, deployment_targets, permission_model):
    """CreateStackInstances deploys a service-managed stack set to the accounts
    its DeploymentTargets reach (reached()). The top-level Accounts are for
    self-managed stack sets only ("[Self-managed permissions] The account IDs"),
    so they are ignored here. moto's own create still skips existing instances
    (AWS: creating an existing instance is a no-op)."""
    if permission_model == "SERVICE_MANAGED":
        accounts, deployment_targets = reached(self.org_backend, deployment_targets), {}
    return _create_instances(self, accounts, regions, parameters, deployment_targets, permission_model)


_delete_stack_instances = CloudFormationResponse.delete_stack_instances


def delete_stack_instances_by_targets(self):
    """DeleteStackInstances of a service-managed stack set deletes the
    instances of the accounts its DeploymentTargets reach (reached(): the same
    accounts a create with the same targets deploys to). moto read only the
    top-level Accounts, which AWS takes for self-managed stack sets only, and
    deleted nothing."""
    stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
    if stackset.permission_model != "SERVICE_MANAGED":
        return _delete_stack_instances(self)
    targets = self._get_params().get("DeploymentTargets") or {}
    stackset.delete_stack_instances(reached(stackset.instances.org_backend, targets), self._get_param("Regions", []))
    return ActionResult({"OperationId": stackset.operations[-1]["OperationId"]})


def delete_managed_policy(self, account_id, region_name):
    """Deleting a stack's AWS::IAM::ManagedPolicy detaches it from its roles
    and deletes it (as CloudFormation does on AWS). moto's has no delete, so the
    role's delete then failed with DeleteConflict and the instance stayed."""
    for role in list(self.backend.roles.values()):
        if self.arn in role.managed_policies:
            self.backend.detach_role_policy(self.arn, role.name)
    self.backend.delete_policy(self.arn)


# Patch 2: trusted access with AWS Organizations.


def describe_organizations_access(self):
    """DescribeOrganizationsAccess: "Retrieves information about the account's
    OrganizationAccess status" (ENABLED | DISABLED), the organization's: a
    delegated administrator sees the management account's. A new organization
    has it DISABLED; Organizations' EnableAWSServiceAccess does not change it.
    (Who may call it is checked by patch 3.)"""
    mgmt = management_account(self.current_account, self.partition)
    return ActionResult({"Status": "ENABLED" if mgmt in trusted_access else "DISABLED"})


def activate_organizations_access(self):
    """ActivateOrganizationsAccess: "Activate trusted access with
    Organizations. With trusted access between StackSets and Organizations
    activated, the management account has permissions to create and manage
    StackSets for your organization." Only the management account can:
    the refusal's code and message for any other account are assumed (AWS does
    not document them)."""
    if management_account(self.current_account, self.partition) != self.current_account:
        raise ValidationError(message="Only the management account of an organization can activate organizations access")
    trusted_access.add(self.current_account)
    return EmptyResult()


_create_stack_set = CloudFormationResponse.create_stack_set


def create_stack_set_needs_trusted_access(self):
    """CreateStackSet with PermissionModel=SERVICE_MANAGED while trusted access
    is not activated: ValidationError "You must enable organizations access to
    operate a service managed stack set" (AWS: "If trusted access is
    deactivated, the management account does not have permissions to create and
    manage service-managed StackSets for your organization")."""
    mgmt = management_account(self.current_account, self.partition)
    if self._get_param("PermissionModel") == "SERVICE_MANAGED" and mgmt not in trusted_access:
        raise ValidationError(message="You must enable organizations access to operate a service managed stack set")
    return _create_stack_set(self)


# Patch 3: who may call (CallAs).


def checks_call_as(method):
    """StackSets calls check the caller as AWS does (moto accepted any CallAs):
    - CallAs=DELEGATED_ADMIN: "Your Amazon Web Services account must be
      registered as a delegated administrator in the management account"
      (RegisterDelegatedAdministrator for member.org.stacksets.cloudformation.
      amazonaws.com). Any other caller, the management account too (it cannot
      be registered): ValidationError "Account used is not a delegated
      administrator".
    - CallAs SELF or absent from any account but the management account, for
      CreateStackSet/UpdateStackSet with PermissionModel=SERVICE_MANAGED or for
      DescribeOrganizationsAccess ("This API can also be called without the
      CallAs parameter by the management account"): ValidationError "You must
      be the management account or delegated admin account of an organization
      before operating a SERVICE_MANAGED stack set"."""

    @wraps(method)
    def checked(self):
        caller = self.current_account
        mgmt = management_account(caller, self.partition)
        if self._get_param("CallAs") == "DELEGATED_ADMIN":
            admins = organizations_backends[mgmt][self.partition].admins if mgmt else []
            if not any(a.account.id == caller and STACKSETS_PRINCIPAL in a.services for a in admins):
                raise ValidationError(message="Account used is not a delegated administrator")
        elif caller != mgmt and (
            self._get_action() == "DescribeOrganizationsAccess" or self._get_param("PermissionModel") == "SERVICE_MANAGED"
        ):
            raise ValidationError(
                message="You must be the management account or delegated admin account of an organization before operating a SERVICE_MANAGED stack set"
            )
        return method(self)

    return checked


# Patch 4: operations take time, one at a time.


def one_operation_at_a_time(method):
    """AWS: "Another operation is currently in progress for this StackSet.
    Only one operation can be performed for a stack set at a given time."
    CreateStackInstances, UpdateStackSet, DeleteStackInstances,
    UpdateStackInstances and DeleteStackSet (all list OperationInProgressException
    among their errors) while one of the stack set's operations is RUNNING:
    OperationInProgressException (409) "Another Operation on StackSet <ARN> is
    in progress: <operation id>" (AWS's messages seen in public reports end at
    "is in progress"; the operation id is added here)."""

    @wraps(method)
    def refused_while_running(self):
        try:
            stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        except StackSetNotFoundException:
            return method(self)  # moto's own answer for a missing stack set
        running = [op["OperationId"] for op in stackset.operations if op["Status"] == "RUNNING"]
        if running:
            message = f"Another Operation on StackSet {stackset.arn} is in progress: {running[0]}"
            raise CloudFormationError("OperationInProgressException", message)  # 409 from botocore's model
        return method(self)

    return refused_while_running


def operation_takes_time(method):
    """AWS: StackSet operations are asynchronous ("RUNNING: The operation is
    currently being performed"). The operation a CreateStackInstances,
    UpdateStackSet, DeleteStackInstances or UpdateStackInstances call makes
    starts RUNNING, without an EndTimestamp ("The time at which the StackSet
    operation ended"); its effects on instances are still applied at the call,
    as moto does. With MOTO_STACKSET_RUNNING_POLLS=0 it has SUCCEEDED at once,
    as in moto, and ended then."""

    @wraps(method)
    def started(self):
        result = method(self)
        stackset = self.cloudformation_backend.describe_stack_set(self._get_param("StackSetName"))
        operation = stackset.operations[-1]  # the one this call made
        if RUNNING_POLLS:
            operation.update(Status="RUNNING", PollsLeft=RUNNING_POLLS)
            del operation["EndTimestamp"]
        else:
            operation["EndTimestamp"] = utcnow()  # moto's was 2 minutes ahead
        return result

    return started


_describe_stack_set_operation = CloudFormationResponse.describe_stack_set_operation


def describe_stack_set_operation_advances(self):
    """A RUNNING operation is seen RUNNING by MOTO_STACKSET_RUNNING_POLLS
    DescribeStackSetOperation calls, then SUCCEEDED with its EndTimestamp (a
    stand-in for AWS's time; ListStackSetOperations and
    ListStackSetOperationResults show the status it has reached)."""
    _, operation = self.cloudformation_backend.describe_stack_set_operation(
        self._get_param("StackSetName"), self._get_param("OperationId")
    )
    if operation["Status"] == "RUNNING":
        if operation["PollsLeft"]:
            operation["PollsLeft"] -= 1
        else:
            operation.update(Status="SUCCEEDED", EndTimestamp=utcnow())
    return _describe_stack_set_operation(self)


# Patch 5: ListStackSetOperations pages.


def list_stack_set_operations_paged(self):
    """ListStackSetOperations pages: MaxResults "The maximum number of results
    to be returned with a single call. If the number of available results
    exceeds this maximum, the response includes a NextToken" (1-100; 100 when
    absent is assumed, AWS does not document the default). AWS does not
    document the order: newest first (by CreationTimestamp) is assumed;
    MOTO_STACKSET_OPERATIONS_ORDER=oldest gives oldest first. The token is the
    next page's first operation id, so that a new operation does not shift
    the pages (AWS's tokens are opaque). Each summary has CreationTimestamp and
    (once ended) EndTimestamp."""
    size = self._get_param("MaxResults", 100)
    if not 1 <= size <= 100:
        bound = "greater than or equal to 1" if size < 1 else "less than or equal to 100"
        raise ValidationError(
            message=f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy constraint: Member must have value {bound}"
        )
    operations = sorted(
        self.cloudformation_backend.list_stack_set_operations(self._get_param("StackSetName")),
        key=lambda op: op["CreationTimestamp"],
    )
    if not OLDEST_FIRST:
        operations.reverse()
    token = self._get_param("NextToken")
    ids = [op["OperationId"] for op in operations]
    if token and token not in ids:
        raise ValidationError(message=f"Invalid NextToken: {token}")  # wording assumed
    start = ids.index(token) if token else 0
    result = {"Summaries": operations[start : start + size]}
    if start + size < len(operations):
        result["NextToken"] = ids[start + size]
    return ActionResult(result)


# Patch 6: a delegated administrator reads the organization.


def member_reads_the_organization(method):
    """Organizations' reads (ListRoots, ListOrganizationalUnitsForParent,
    ListAccountsForParent, ListAccounts): AWS: "This operation can be called
    only from the organization's management account or by a member account
    that is a delegated administrator for an Amazon Web Services service." A
    member account that is one (for any service, e.g. StackSets) is answered
    from the management account's organization; any other member gets
    AccessDeniedException. moto answered ListRoots to every member and the
    others to none (ParentNotFoundException)."""

    @wraps(method)
    def read(self, *args, **kwargs):
        if self.org:
            return method(self, *args, **kwargs)
        management = organizations_backends.master_accounts.get(self.account_id)
        if management is None:
            raise AWSOrganizationsNotInUseException
        backend = organizations_backends[management[0]][management[1]]
        if not any(admin.account.id == self.account_id for admin in backend.admins):
            raise AccessDeniedException("You don't have permissions to access this resource.")
        return method(backend, *args, **kwargs)

    return read


class AccessDeniedException(OrganizationsClientError):
    # moto's serializer finds the service's model by the exception's module.
    __module__ = "moto.organizations.exceptions"

    def __init__(self, message: str):
        super().__init__("AccessDeniedException", message)


# Installation. The CallAs check wraps last, so that it answers first.

FakeDelegatedAdministrator.SUPPORTED_SERVICES.append(STACKSETS_PRINCIPAL)
StackInstances.org_backend = property(organization_of_stack_set)
StackInstances.create_instances = create_instances_where_aws_deploys
ManagedPolicy.delete = delete_managed_policy
for name in ["list_roots", "list_organizational_units_for_parent", "list_accounts_for_parent", "list_accounts"]:
    setattr(OrganizationsBackend, name, member_reads_the_organization(getattr(OrganizationsBackend, name)))
Response = CloudFormationResponse
Response.delete_stack_instances = delete_stack_instances_by_targets
Response.describe_organizations_access = describe_organizations_access
Response.activate_organizations_access = activate_organizations_access
Response.create_stack_set = create_stack_set_needs_trusted_access
Response.describe_stack_set_operation = describe_stack_set_operation_advances
Response.list_stack_set_operations = list_stack_set_operations_paged
for name in ["create_stack_instances", "update_stack_set", "delete_stack_instances", "update_stack_instances"]:
    setattr(Response, name, one_operation_at_a_time(operation_takes_time(getattr(Response, name))))
Response.delete_stack_set = one_operation_at_a_time(Response.delete_stack_set)
# Every StackSets call moto implements that takes CallAs.
for name in [
    "create_stack_set",
    "describe_stack_set",
    "update_stack_set",
    "delete_stack_set",
    "list_stack_sets",
    "create_stack_instances",
    "update_stack_instances",
    "delete_stack_instances",
    "list_stack_instances",
    "describe_stack_instance",
    "list_stack_set_operations",
    "describe_stack_set_operation",
    "list_stack_set_operation_results",
    "stop_stack_set_operation",
    "describe_organizations_access",
]:
    setattr(Response, name, checks_call_as(getattr(Response, name)))
