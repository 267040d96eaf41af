"""The `chorus` command.

    chorus demo [--port N] [--host H]          migrate, seed the demo once, serve it and run the worker
    chorus serve [--port N] [--workers N] [--threads N] [--host H]
                                               the app server (granian, WSGI); other options go to granian
    chorus worker                              the task worker (django-tasks database backend)
    chorus apikey create --program SLUG        a new API key for a program, shown once
    chorus <command> ...                       any Django management command: migrate, createsuperuser,
                                               check --deploy, collectstatic, seed_demo, ...
"""

import argparse
import os
import sys

USAGE = __doc__.split("\n", 2)[2]
WSGI_APPLICATION = "config.wsgi:application"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command in ("-h", "--help") or (command == "help" and not rest):
        print("usage:\n" + USAGE)
        return django_command(["help"]) if command == "help" else 0
    if command == "demo":
        from chorus.demo.runner import run_demo

        return run_demo(rest)
    if command == "serve":
        return serve(rest)
    if command == "worker":
        return django_command(["db_worker", *rest])
    return django_command(argv)


def django_command(argv: list[str]) -> int:
    """Run a Django management command as `chorus <argv>`."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chorus", *argv])
    return 0


def default_threads() -> int:
    """Threads per worker: enough to overlap database waits, few enough to bound connections."""
    return 2 * (os.cpu_count() or 1) + 1


def granian_command(*, host: str, port: int, workers: int = 1, threads: int | None = None,
                    extra: list[str] | None = None) -> list[str]:
    """The granian command line that serves Chorus over WSGI (each thread holds one DB connection)."""
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
        "--workers", str(workers), "--blocking-threads", str(threads or default_threads()),
        *(extra or []), WSGI_APPLICATION,
    ]


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="chorus serve",
        description="Serve Chorus with granian (WSGI). Unknown options are passed to granian; see `granian --help`.",
    )
    parser.add_argument("--host", default=os.environ.get("CHORUS_HOST", "127.0.0.1"),
                        help="address to bind (default 127.0.0.1; CHORUS_HOST)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                        help="port to bind (default 8000; PORT)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")),
                        help="worker processes (default 1; WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "0")) or None,
                        help="threads per worker, each with its own database connection "
                             "(default 2 × CPUs + 1; WEB_THREADS)")
    options, extra = parser.parse_known_args(argv)
    import django

    django.setup()  # fail here, with Django's message, rather than in every granian worker
    command = granian_command(host=options.host, port=options.port, workers=options.workers,
                              threads=options.threads, extra=extra)
    sys.stdout.flush()
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
