"""evalcard: trustworthy, effortless evaluation results in Hugging Face model cards."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("evalcard")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"

