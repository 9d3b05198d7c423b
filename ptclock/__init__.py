"""ptclock: a session timer for physical therapists that bills exactly what was done."""

__version__ = "0.1.0"
