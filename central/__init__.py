"""The central service: ingest, store, match, alerts, health, reports, search, audit, API."""
