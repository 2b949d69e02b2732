"""Prometheus metrics of the agent: frames, reads, per-stage latency, outbox."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server


class AgentMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.frames = Counter("anpr_edge_frames_total", "Frames captured", ["camera"], registry=r)
        self.frames_dropped = Gauge(
            "anpr_edge_frames_dropped", "Frames dropped (pipeline behind)", ["camera"], registry=r
        )
        self.frames_bad = Gauge("anpr_edge_frames_bad", "Broken frames skipped", ["camera"], registry=r)
        self.reads = Counter(
            "anpr_edge_reads_total", "Reads produced (one per vehicle)", ["camera"], registry=r
        )
        self.stage = Histogram(
            "anpr_edge_stage_seconds",
            "Time per pipeline stage",
            ["stage"],
            registry=r,
            buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0),
        )
        self.outbox_depth = Gauge(
            "anpr_edge_outbox_depth", "Reads held until central confirms them", registry=r
        )
        self.outbox_evicted = Gauge(
            "anpr_edge_outbox_evicted_total", "Reads evicted by the quota", registry=r
        )
        self.outbox_unconfirmed = Gauge(
            "anpr_edge_outbox_unconfirmed", "Reads published and not yet confirmed by central", registry=r
        )
        self.outbox_oldest_unconfirmed = Gauge(
            "anpr_edge_outbox_oldest_unconfirmed_seconds",
            "Seconds since the oldest unconfirmed read was first published (0: none)",
            registry=r,
        )
        self.outbox_republished = Gauge(
            "anpr_edge_outbox_republished_total", "Reads published again after their ack timeout", registry=r
        )
        self.outbox_dead_letters = Gauge(
            "anpr_edge_outbox_dead_letters_total",
            "Reads over the size limit that could not be shrunk, kept on the device",
            registry=r,
        )
        self.published = Counter("anpr_edge_published_total", "Reads confirmed stored by central", registry=r)
        self.connected = Gauge("anpr_edge_broker_connected", "1 when connected to the broker", registry=r)

    def serve(self, port: int) -> int:
        server, _ = start_http_server(port, registry=self.registry)
        return server.server_port
