"""The error every checkpoint reader raises, shipped or uploaded."""

from engine.messages import UserError


class CheckpointError(UserError):
    """A checkpoint that cannot be written or rebuilt as it stands."""
