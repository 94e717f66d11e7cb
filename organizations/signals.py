"""Signals of the organization tree, sent explicitly by organizations.services inside the writer's
transaction (never from save() or post_save). Receivers connect in their app's AppConfig.ready and
must not swallow errors: a failing receiver rolls the write back (Signal.send, not send_robust)."""

from django.dispatch import Signal

# organization_ids: organizations whose subtree membership changed (old and new ancestors included).
tree_changed = Signal()

# organization, on, field: sent before an organization is closed (dissolved, or an end date set), after
# the tree's own checks. Apps keeping work at an organization refuse with a ValidationError (nothing
# is written; `field` names the form field to attach it to, None for the whole form): organizations
# imports none of them (candidates.receivers.refuse_closing_with_active_candidates is one).
organization_closing = Signal()

# organization_ids, on: sent by organizations.restructuring once a decision's steps ran (inside its
# transaction, a preview's too). Each receiver answers with lines (str) saying what it keeps at those
# organizations that moves with them: open candidates, plans and quotas of the year.
restructuring_impact = Signal()
