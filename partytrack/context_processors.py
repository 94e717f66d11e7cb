"""Navigation shown on every page; an entry appears once its app provides the URL."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

NAVIGATION = [
    (_("Tổ chức"), "organizations:tree"),
    (_("Chỉ tiêu"), "quotas:index"),
    (_("Quần chúng, kết nạp"), "candidates:index"),
    (_("Báo cáo"), "reports:index"),
]


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"navigation": []}
    items = []
    for label, url_name in NAVIGATION:
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"navigation": items}
