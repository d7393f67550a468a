"""fakearr: a realistic Sonarr / Radarr / Whisparr simulator for tests, demos and benchmarks.

In process::

    from tests.fakearr import FakeArr
    with FakeArr.start(kind="sonarr", series=20, seed=1, speed=0) as arr:
        arr.url, arr.api_key, arr.library, arr.faults, arr.commands_received
        arr.advance(120)

Out of process: ``python -m tests.fakearr --kind sonarr --port 8989 --series 200``.
"""

from .clock import SimClock
from .faults import FaultRule, FaultSet
from .profiles import DEFAULT_VERSIONS, AppProfile, profile_for
from .server import FakeArr
from .simulation import SimConfig

__all__ = [
    "DEFAULT_VERSIONS",
    "AppProfile",
    "FakeArr",
    "FaultRule",
    "FaultSet",
    "SimClock",
    "SimConfig",
    "profile_for",
]
