"""Board recommendations: recording, sign-off, amendments, implementation and actions.

Importing the package registers its rules on the case workflow and the agenda.
"""

from tumorboard.recommendations import guards as guards
