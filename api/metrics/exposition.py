"""The scrape's body: the process-wide instruments, then the snapshot of this scrape."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from api.metrics.instruments import REGISTRY
from api.metrics.snapshot import Snapshot, SnapshotCollector

# Prometheus' classic text format, which every Prometheus 2.x and 3.x reads (our names need
# none of format 1.0.0's escaping).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4


def render(snapshot: Snapshot) -> bytes:
    """Prometheus' text format of every metric of this replica."""
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(SnapshotCollector(snapshot))
    return generate_latest(REGISTRY) + generate_latest(scrape)
