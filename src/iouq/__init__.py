"""iouq: uncertainty analysis of economic input-output (Leontief) models.

Three method families on the same tables and tolerances:

* interval enclosures (:mod:`iouq.interval`),
* West-style stochastic multiplier densities (:mod:`iouq.stochastic`),
* Hewings importance screening (:mod:`iouq.importance`).
"""

from .errors import IOUQError
from .table import IOTable

__version__ = "0.1.0"
__all__ = ["IOUQError", "IOTable", "__version__"]
