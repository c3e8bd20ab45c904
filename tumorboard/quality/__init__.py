"""Quality indicators, standard-of-care ratification and teaching exports."""

from tumorboard.quality import teaching_views  # noqa: F401  (its pages join bp)
from tumorboard.quality.views import bp

__all__ = ["bp"]
