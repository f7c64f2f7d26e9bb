"""driftsim detectors: streaming change detectors and window two-sample tests."""

from detectors.base import BaseStreamingDetector, DriftDetector, StreamingDetector
from detectors.page_hinkley import PageHinkley

__all__ = [
    "BaseStreamingDetector",
    "DriftDetector",
    "PageHinkley",
    "StreamingDetector",
]
