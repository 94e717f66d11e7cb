from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CandidatesConfig(AppConfig):
    name = "candidates"
    verbose_name = _("Quần chúng và kết nạp")

    def ready(self):
        from django.urls import reverse

        from organizations.signals import organization_closing, restructuring_impact
        from partytrack import history

        from . import receivers
        from .models import Admission, Candidate, PersonalDataAccess
        from .selectors import admission_get, admissions_for, candidate_get, candidates_for

        # An organization is not closed while candidates are still followed in its subtree.
        organization_closing.connect(receivers.refuse_closing_with_active_candidates, dispatch_uid="candidates")
        restructuring_impact.connect(receivers.restructuring_impact, dispatch_uid="candidates")

        def personal_data_read(request, obj) -> None:
            from .views import personal_data_read

            personal_data_read(request, kind=PersonalDataAccess.Kind.HISTORY_PAGE, people=[obj])

        history.register(
            Candidate,
            get=candidate_get,
            url=lambda o: reverse("candidates:detail", args=[o.pk]),
            visible=candidates_for,
            on_read=personal_data_read,
        )
        history.register(
            Admission,
            get=admission_get,
            url=lambda o: reverse("candidates:admission_detail", args=[o.pk]),
            visible=admissions_for,
            on_read=personal_data_read,
        )
