"""Board recommendations: recording, sign-off, amendments, implementation and actions.

Importing the package registers its rules on the case workflow and the agenda, and its
panels on the case page.
"""

from tumorboard.recommendations import guards as guards
from tumorboard.recommendations import panels as panels
