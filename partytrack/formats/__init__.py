"""Date and number formats of the interface (settings.FORMAT_MODULE_PATH), where Django's own differ
from how Vietnamese offices write them."""
