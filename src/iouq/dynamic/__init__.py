"""Dynamic input-output models (see :mod:`iouq.dynamic.model`)."""
