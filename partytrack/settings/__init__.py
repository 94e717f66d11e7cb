"""Settings for a developer's machine and the test suite; production imports these and hardens them."""

from .base import *  # noqa: F403
