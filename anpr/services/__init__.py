"""Local PostgreSQL and MQTT broker for a single machine (`anpr services up|down|status`)."""
