"""Signals of the quotas app, sent explicitly by quotas.services inside the writer's transaction.
Receivers connect in their app's AppConfig.ready; a failing receiver rolls the write back."""

from django.dispatch import Signal

# plan_ids: plans whose quotas (or whose current/replaced status) changed.
quotas_changed = Signal()
