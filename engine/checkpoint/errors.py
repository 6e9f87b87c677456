"""The error every checkpoint reader raises, shipped or uploaded."""


class CheckpointError(ValueError):
    """A checkpoint that cannot be written or rebuilt as it stands."""
