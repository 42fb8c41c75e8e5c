"""The jobs release engineers run, built on the reads and the PATCH.

- converge: a PATCH whose values already hold reports "already" instead of failing;
- wait: poll a build until App Store Connect has processed it;
- expiry: plan which stale builds to expire, and why each other one is kept;
- declaration: check an encryption declaration before assigning it.

Each module holds the decisions as plain code, without I/O: the operations of
`asc_builds.builds` ask them, and the sync and async clients share them.
"""

from ._converge import ChangeStatus, RequestedChange, UpdateResult
from ._declaration import (
    ASSIGNABLE_DECLARATION_STATES,
    REFUSED_DECLARATION_STATES,
    DeclarationRefusedError,
)
from ._expiry import ExpiryPlan, PlannedBuild, plan_expiry
from ._selector import Selector
from ._wait import (
    FAILED_STATES,
    PROCESSED_STATE,
    PollSchedule,
    ProcessingFailedError,
    ProcessingWait,
    WaitProgress,
    WaitTimeoutError,
)

__all__ = [
    "ASSIGNABLE_DECLARATION_STATES",
    "FAILED_STATES",
    "PROCESSED_STATE",
    "REFUSED_DECLARATION_STATES",
    "ChangeStatus",
    "DeclarationRefusedError",
    "ExpiryPlan",
    "PlannedBuild",
    "PollSchedule",
    "ProcessingFailedError",
    "ProcessingWait",
    "RequestedChange",
    "Selector",
    "UpdateResult",
    "WaitProgress",
    "WaitTimeoutError",
    "plan_expiry",
]
