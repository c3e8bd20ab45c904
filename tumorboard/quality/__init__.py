"""Quality indicators, standard-of-care ratification and teaching exports."""

from tumorboard.quality.views import bp

__all__ = ["bp"]
