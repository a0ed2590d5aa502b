"""``make loadtest``: gunicorn on PostgreSQL and Redis with the demo clinic, driven by a fixed request mix."""
