from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UrbanmgmtConfig(AppConfig):
    """The project: accounts, posts, the access policy, the audit log and the site shell."""

    name = "urbanmgmt"
    verbose_name = _("Accounts and audit")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from gis.models import LayerImport
        from urbanmgmt import signals

        post_save.connect(
            signals.layer_import_audited, sender=LayerImport, dispatch_uid="audit-layer-import"
        )
        # Reports saved from commands and the shell mark their ward's heat maps stale too,
        # not only those saved after the web server loaded the leaders' URLs.
        from urbanmgmt.leaders.heat import connect_signals

        connect_signals()
