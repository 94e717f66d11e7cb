"""Named hooks between apps that must not import each other.

Writers fire a hook inside their transaction after the facts have changed; listeners (registered in
an AppConfig.ready) keep derived data, such as report tallies, in step within the same transaction.
Listeners must not swallow errors: a failing listener rolls the write back.
"""

from __future__ import annotations

from collections.abc import Callable


class Hook:
    def __init__(self, name: str):
        self.name = name
        self._listeners: list[Callable[..., None]] = []

    def connect(self, listener: Callable[..., None]) -> Callable[..., None]:
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    def fire(self, **kwargs) -> None:
        for listener in list(self._listeners):
            listener(**kwargs)

    def __repr__(self) -> str:
        return f"<Hook {self.name}>"


# organization_ids: organizations whose subtree membership changed (old and new ancestors included).
tree_changed = Hook("tree_changed")
# organization_ids: where admissions were added, changed or cancelled; dates: their admission dates.
admissions_changed = Hook("admissions_changed")
# plan_ids: plans whose quotas (or whose current/replaced status) changed.
quotas_changed = Hook("quotas_changed")
