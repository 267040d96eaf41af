"""config.wsgi's application, counting the redirects each server worker answers.

The redirect benchmark serves this instead of `config.wsgi:application` so that the clicks
in the database can be checked against the 302s the server itself produced — not only
against what wrk received (requests still in flight when wrk stops are answered, and
recorded, after wrk has stopped reading). The count costs one comparison and one addition
per request.

Each worker writes `{"pid", "redirects", "final"}` to $BENCH_COUNT_DIR/<pid>.json every
half second, when its main thread ends (granian stopping it) and once more a second later.
"""

import json
import os
import threading
from pathlib import Path

from config.wsgi import application as chorus_application
from config.wsgi import django_application as plain_django_application

_state = {"redirects": 0, "pid": None}
_lock = threading.Lock()


def _counting(app):
    def counted(environ, start_response):
        def counting_start_response(status, headers, exc_info=None):
            if status.startswith("302"):
                with _lock:
                    _state["redirects"] += 1
            return start_response(status, headers, exc_info)

        if _state["pid"] != os.getpid():
            _start_reporter()
        return app(environ, counting_start_response)

    return counted


application = _counting(chorus_application)
# Django alone, without the lean redirect path in front: for comparison
django_application = _counting(plain_django_application)


def _write(final: bool) -> None:
    directory = os.environ.get("BENCH_COUNT_DIR")
    if not directory:
        return
    with _lock:
        payload = {"pid": os.getpid(), "redirects": _state["redirects"], "final": final}
    path = Path(directory) / f"{os.getpid()}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload))
    temporary.replace(path)


def _report() -> None:
    main = threading.main_thread()
    while main.is_alive():
        main.join(0.5)
        _write(final=False)
    _write(final=False)
    threading.Event().wait(1.0)  # anything answered while the worker winds down
    _write(final=True)


def _start_reporter() -> None:
    with _lock:
        if _state["pid"] == os.getpid():
            return
        _state["pid"] = os.getpid()
        _state["redirects"] = 0
    threading.Thread(target=_report, name="bench-redirect-counter", daemon=False).start()
