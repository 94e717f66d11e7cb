"""The scope matrix: every URL, every role, inside and outside the user's subtree.

Each app lists its URLs in tests/<app>/scope_cases.py as `CASES`. A case names a URL, how to build
its arguments for a target organization of the `world` fixture, and the status each role gets
inside its scope. Outside (district B's subtree) every role but the superuser gets 404.
test_every_url_is_in_the_matrix fails when a URL exists without a case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

READ_ALL = {"staff": 200, "secretary": 200, "leader": 200, "admin": 200, "superuser": 200}
MANAGE = {"staff": 200, "secretary": 404, "leader": 404, "admin": 200, "superuser": 200}


@dataclass(frozen=True)
class Case:
    url_name: str
    # world -> (inside kwargs, outside kwargs); None when the URL takes no object (a list or index).
    kwargs: Callable[[Any], tuple[dict, dict]] | None
    expect: dict[str, int] = field(default_factory=lambda: dict(READ_ALL))
    query: str = ""
    # Lists have no "outside" object: scope shows in what they contain, tested by the app.
    outside: bool = True
    # REST endpoints answer 401/403 to anonymous callers instead of redirecting to the login page.
    api: bool = False

    @property
    def id(self) -> str:
        return self.url_name


def org_pk(inside: str = "cell_a", outside: str = "cell_b") -> Callable[[Any], tuple[dict, dict]]:
    return lambda w: ({"pk": getattr(w, inside).pk}, {"pk": getattr(w, outside).pk})
