"""``make faulttest``: the outbox and booking under real faults, with real processes.

On a throwaway PostgreSQL database next to DATABASE_URL's and a private Redis on its own port, it starts gunicorn
(2 workers), two Celery workers and beat, and a mail server of its own (tools/faultsmtp.py). Visitors book through
the public pages over HTTP while it stops Redis, makes the mail server refuse connections, answer 421, answer 451 at
RCPT TO, and kills a worker in the middle of a send. Then it waits for the sweep and prints:

- bookings succeeded and failed, HTTP 5xx, and how long the booking POST took;
- emails lost (counted from the bookings made: each visitor's confirmation and set-password link), delivered once,
  delivered more than once (and whether the copies share their Message-ID);
- for each fault, the time from its end to the last delivery it held up, against its bound: the mail server, its
  next retry plus 60 s; Redis, 90 s after it is back; a killed worker, the lease plus 60 s.

It exits 1 on any breach, and stops every process it started. ``--short`` (or FAULTTEST_PROFILE=short) runs in
under five minutes with shorter fault windows and the outbox's intervals lowered (tools/faulttest/settings.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic .venv/bin/python -m tools.faulttest --short
"""
