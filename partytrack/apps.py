from django.apps import AppConfig


class PartytrackConfig(AppConfig):
    name = "partytrack"
    verbose_name = "partytrack"

    def ready(self):
        from .fields import register_serializer_fields

        register_serializer_fields()
