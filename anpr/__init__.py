"""Shared core of the ANPR network: wire protocol, UK plate grammar, settings, local services.

Nothing here imports `edge`, `central`, `hotlists` or `models`.
"""

__version__ = "0.1.0"
