"""`chorus demo`: from a fresh checkout to a running Chorus with data, in one command.

It chooses development-friendly settings the environment leaves open (DEBUG, a local
mailbox for email, the base URL of this port), migrates, seeds the demo once, then runs
the app server (granian) and the task worker side by side and prints where to go.
Ctrl-C (or SIGTERM) stops both. DATABASE_URL and CHORUS_BASE_URL are honoured.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

from chorus.cli import granian_command

READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class _Stop(Exception):
    pass


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="chorus demo", description="Migrate, seed the demo (once), then serve Chorus and run the task worker.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    return parser.parse_args(argv)


def _say(text: str = "") -> None:
    print(text, flush=True)


def _port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def _configure_environment(options: argparse.Namespace) -> None:
    """Defaults for a local demo; anything already set in the environment wins."""
    shown_host = "127.0.0.1" if options.host in ("0.0.0.0", "::", "") else options.host
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("CHORUS_BASE_URL", f"http://{shown_host}:{options.port}")
    os.environ.setdefault("CHORUS_MAGIC_LINK_MINUTES", "1440")  # the printed hub link lasts a day


def _start_mailbox():
    """Unless EMAIL_URL says otherwise, emails go to a local SMTP mailbox that prints them."""
    if os.environ.get("EMAIL_URL"):
        return None
    from .mailbox import DemoMailbox

    mailbox = DemoMailbox(output=_say).start()
    os.environ["EMAIL_URL"] = mailbox.url
    return mailbox


def _prepare():
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from .services import prepare_demo

    _say("Migrating the database…")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    _say("Preparing the demo (the first run seeds 90 days of history, which takes about 20 seconds)…")
    access = prepare_demo()
    # Tasks already due (the seeded history's hold releases) run here, quietly, so the
    # worker's log starts with what happens during the demo.
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    connections.close_all()
    return access


def _spawn(command: list[str]) -> subprocess.Popen:
    # Own process groups: Ctrl-C reaches only this process, which stops the children in order.
    return subprocess.Popen(command, process_group=0)


def _start_children(options: argparse.Namespace) -> dict[str, subprocess.Popen]:
    web = _spawn(granian_command(host=options.host, port=options.port, extra=["--log-level", "warning"]))
    worker = _spawn([sys.executable, "-m", "chorus.cli", "worker", "--no-reload", "--no-startup-delay"])
    return {"web server": web, "task worker": worker}


def _wait_until_serving(options: argparse.Namespace, children: dict[str, subprocess.Popen]) -> None:
    host = "127.0.0.1" if options.host in ("0.0.0.0", "::", "") else options.host
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for name, child in children.items():
            if child.poll() is not None:
                raise RuntimeError(f"The {name} exited with status {child.returncode} while starting.")
        try:
            with socket.create_connection((host, options.port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"The web server did not answer on port {options.port} within {READY_TIMEOUT_SECONDS} s.")


def _banner(access, *, mailbox: bool) -> str:
    if access.hub_login_url:
        login = (f"  Hub login:      {access.hub_login_url}\n"
                 f"                  a one-time link that logs you in as {access.advocate_name}, the demo advocate\n")
    else:
        login = f"  Hub login:      ask for a link on the hub as {access.advocate_name}; the email is printed here\n"
    return (
        f"\nChorus demo is running ({access.program_name}). Press Ctrl-C to stop.\n\n"
        f"  Console:        {access.console_url}\n"
        f"                  user: {access.username}   password: {access.password}\n"
        f"  Hub:            {access.hub_url}\n"
        f"{login}"
        f"  Referral link:  {access.referral_link}\n"
        f"  Demo shop:      {access.shop_url}\n"
        f"  API docs:       {access.api_docs_url}\n\n"
        f"Open the referral link in a private window to play the friend: sign up and buy in the\n"
        f"demo shop, then watch the reward appear in {access.advocate_name}'s hub.\n"
        f"{'Emails Chorus sends are printed here.' if mailbox else 'Emails go to EMAIL_URL.'}\n\n"
        f"API key: {access.api_key}\n"
    )


def _raise_stop(signum, frame):
    raise _Stop(signum)


def _supervise(children: dict[str, subprocess.Popen]) -> int:
    """Wait until Ctrl-C / SIGTERM, or until a child dies; the return code says which."""
    while True:
        for name, child in children.items():
            if child.poll() is not None:
                _say(f"The {name} stopped (status {child.returncode}); stopping the demo.")
                return child.returncode or 1
        time.sleep(0.3)


def _stop_children(children: dict[str, subprocess.Popen]) -> None:
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def run_demo(argv: list[str]) -> int:
    options = _parse(argv)
    if not _port_is_free(options.host, options.port):
        _say(f"Port {options.port} is in use. Try: chorus demo --port {options.port + 1}")
        return 2
    _configure_environment(options)
    mailbox = _start_mailbox()
    try:
        return _run(options, printing_mail=mailbox is not None)
    except KeyboardInterrupt:  # before the demo started; the seed is one transaction
        _say("\nInterrupted before the demo started.")
        return 130
    finally:
        if mailbox is not None:
            mailbox.stop()


def _run(options: argparse.Namespace, *, printing_mail: bool) -> int:
    access = _prepare()
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_stop)
    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        children = _start_children(options)
        _wait_until_serving(options, children)
        _say(_banner(access, mailbox=printing_mail))
        status = _supervise(children)
    except _Stop:
        _say("\nStopping the web server and the task worker…")
    except RuntimeError as error:
        _say(str(error))
        status = 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        _stop_children(children)
    _say("Chorus demo stopped.")
    return status
