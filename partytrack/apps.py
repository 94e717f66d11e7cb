from django.apps import AppConfig


class PartytrackConfig(AppConfig):
    name = "partytrack"
    verbose_name = "partytrack"
