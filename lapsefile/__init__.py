"""lapsefile: turn a folder of sequential photos into a timelapse video,
from a file you keep in git."""

__version__ = "0.1.0"
