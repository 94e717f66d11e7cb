"""Signals of the candidates app, sent explicitly by candidates.services inside the writer's
transaction. Receivers connect in their app's AppConfig.ready; a failing receiver rolls the write back."""

from django.dispatch import Signal

# organization_ids: where admissions were added, changed or cancelled; dates: their admission dates.
admissions_changed = Signal()
