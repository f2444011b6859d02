"""make loadtest: gunicorn with several workers on PostgreSQL, and 20 logged-in users on loopback for
60 seconds, mixing member search, referral logging, pipeline moves and reports. Prints requests per
second, p50/p95 per page and the error count, then stops by itself.

The users: ten cell secretaries, each in a cell of their own (as in a real base union), five base
officers, and district and province staff. Each waits between clicks, 0,5 to 1,5 times ``--think``
seconds (1 s by default: several times faster than a person reads a page); ``--think 0`` sends
requests back to back and measures what the machine can serve at most.

Traffic goes only to 127.0.0.1 (the gunicorn started here); the loop is bounded in time and count.
"""

import http.cookiejar
import logging
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from referrals import services
from referrals.models import Referral
from unionapp import demo, province_seed

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([0-9a-f]+)"')  # the form's save-once token, as a browser posts it
NEW_REFERRAL = re.compile(r"/referrals/(\d+)/")
MAX_REQUESTS = 200_000  # a hard stop besides the duration


class Session:
    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.geturl(), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, path, ""

    def csrf(self, html):
        m = CSRF.search(html)
        return m.group(1) if m else ""

    def login(self, username):
        _, _, html = self.request("/accounts/login/")
        status, url, _ = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": self.csrf(html), "username": username, "password": demo.DEMO_PASSWORD},
        )
        if "/accounts/login/" in url:
            raise CommandError(f"{username} could not log in")


class Command(BaseCommand):
    help = "Load test: gunicorn on PostgreSQL, 20 users for 60 seconds on loopback."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--seconds", type=int, default=60)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's clicks")

    def handle(self, *args, users, seconds, workers, port, think, **options):
        demo.refuse_in_production()
        logging.getLogger("axes").setLevel(logging.WARNING)
        if connection.vendor != "postgresql":
            raise CommandError("make loadtest runs on PostgreSQL: set DATABASE_URL=postgres://...")
        if not province_seed.exists():
            self.stdout.write("Seeding the province scale...")
            province_seed.seed_province(out=self.stdout.write)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.year = province_seed.data_year()  # the reports of the year the seeded data run up to
        self.units = {name: province_seed_unit(name) for name in ("bench_tinh", "bench_huyen", "bench_xa")}
        self.secretaries = secretaries(SECRETARIES)
        self.units.update(self.secretaries)
        self.think = think
        connection.close()
        server = self.start_gunicorn(workers, port)
        try:
            self.run(f"http://127.0.0.1:{port}", users, seconds)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            services.delete_referrals(Referral.objects.filter(full_name__startswith="Tải Thử "))

    def start_gunicorn(self, workers, port):
        env = {**os.environ, "DEBUG": "false", "SECRET_KEY": os.environ.get("SECRET_KEY", "loadtest-only-secret-key-" + "x" * 40),
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false", "DB_CONN_MAX_AGE": "60", "LOG_LEVEL": "WARNING"}  # fmt: skip
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=settings.BASE_DIR,
        )
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = subprocess.Popen(
            [
                gunicorn,
                "unionapp.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=settings.BASE_DIR,
        )
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return server
            except OSError:
                time.sleep(0.5)
        server.kill()
        raise CommandError("gunicorn did not start")

    def run(self, base, users, seconds):
        roles = list(self.secretaries)[: users // 2] + ["bench_xa"] * (users // 4)
        roles += ["bench_huyen", "bench_tinh"] * ((users - len(roles)) // 2 + 1)
        roles = roles[:users]
        timings = defaultdict(list)
        errors = defaultdict(int)
        lock = threading.Lock()
        deadline = time.monotonic() + seconds
        counter = {"n": 0}

        def record(page, started, status):
            with lock:
                counter["n"] += 1
                timings[page].append((time.perf_counter() - started) * 1000)
                if status >= 400:
                    errors[page] += 1

        def user_loop(index, username):
            rng = random.Random(index)
            s = Session(base)
            try:
                s.login(username)
            except CommandError:
                with lock:
                    errors["login"] += 1
                return
            unit = self.units[username]
            mine = []
            time.sleep(rng.uniform(0, self.think))  # users arrive over the first second, not all at once
            while time.monotonic() < deadline and counter["n"] < MAX_REQUESTS:
                action = rng.choices(self.actions(username), weights=self.weights(username))[0]
                action(s, rng, unit, mine, record, index)
                time.sleep(self.think * rng.uniform(0.5, 1.5))

        threads = [threading.Thread(target=user_loop, args=(i, r), daemon=True) for i, r in enumerate(roles)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 60)
        elapsed = time.monotonic() - started
        total = sum(len(v) for v in timings.values())
        self.stdout.write(
            f"\n{users} users, {self.think:g} s between clicks, {elapsed:.0f} s, {total} requests, "
            f"{total / elapsed:.1f} requests/s"
        )
        self.stdout.write(f"{'page':22} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'errors':>6}")
        worst = 0.0
        for page, values in sorted(timings.items()):
            p95 = sorted(values)[max(0, int(len(values) * 0.95) - 1)]
            worst = max(worst, p95)
            self.stdout.write(
                f"{page:22} {len(values):>6} {statistics.median(values):>8.0f} {p95:>8.0f} {errors[page]:>6}"
            )
        n_errors = sum(errors.values())
        verdict = "PASS" if n_errors == 0 and worst < 500 and total > 0 else "FAIL"
        self.stdout.write(f"errors: {n_errors}; worst p95: {worst:.0f} ms; target 0 errors, p95 < 500 ms: {verdict}")

    # --- what users do -----------------------------------------------------------------

    def actions(self, username):
        if username in self.secretaries:
            return [self.search, self.log_referral, self.move, self.cell_page]
        if username == "bench_xa":
            return [self.search, self.board, self.report]
        return [self.report, self.dashboard, self.search]

    def weights(self, username):
        if username in self.secretaries:
            return [4, 3, 2, 1]
        return {"bench_xa": [3, 3, 2]}.get(username, [4, 3, 2])

    def timed(self, record, page, s, path, data=None):
        started = time.perf_counter()
        status, url, html = s.request(path, data)
        record(page, started, status)
        return status, url, html

    def search(self, s, rng, unit, mine, record, index):
        q = rng.choice(["nguyen", "tran van", "thi hoa", "le", "pham minh", "hoang", "duc"])
        self.timed(record, "member_search", s, f"/members/?q={urllib.parse.quote(q)}&unit={unit.pk}")

    def cell_page(self, s, rng, unit, mine, record, index):
        self.timed(record, "cell_page", s, f"/units/{unit.pk}/")

    def log_referral(self, s, rng, unit, mine, record, index):
        _, _, html = s.request("/referrals/new/")
        m = re.search(r'<option value="(\d+)">', html[html.find('id="id_introducer"') :])
        data = {
            "csrfmiddlewaretoken": s.csrf(html), "cell": unit.pk, "introduced_by": "member",
            "introducer": m.group(1) if m else "", "joins": "union", "full_name": f"Tải Thử {index} {rng.randint(1, 10**9)}",
            "date_of_birth": "12/08/2007", "gender": "F", "phone": "", "citizen_id": "", "address": "",
            "place_kind": "school", "place_name": "", "introduced_on": f"{timezone.localdate():%d/%m/%Y}", "note": "", "confirm_warnings": "on",
            "submission": token.group(1) if (token := SUBMISSION.search(html)) else "",
        }  # fmt: skip
        status, url, _ = self.timed(record, "referral_create", s, "/referrals/new/", data)
        found = NEW_REFERRAL.search(url)
        if found:
            mine.append(found.group(1))
        elif status < 400:  # the form came back with an error: our data was refused, which is a failure too
            record("referral_create_refused", time.perf_counter(), 400)

    def move(self, s, rng, unit, mine, record, index):
        if not mine:
            return self.log_referral(s, rng, unit, mine, record, index)
        pk = mine.pop()
        _, _, html = s.request(f"/referrals/{pk}/training/")
        token = SUBMISSION.search(html)
        data = {
            "csrfmiddlewaretoken": s.csrf(html),
            "course_name": "Lớp cảm tình Đoàn",
            "start": f"{timezone.localdate():%d/%m/%Y}",
            "end": "",
            "submission": token.group(1) if token else "",
        }
        self.timed(record, "pipeline_move", s, f"/referrals/{pk}/training/", data)

    def board(self, s, rng, unit, mine, record, index):
        self.timed(record, "pipeline_board", s, f"/units/{unit.pk}/pipeline/")

    def report(self, s, rng, unit, mine, record, index):
        self.timed(record, "report", s, f"/units/{unit.pk}/report/?period=year&year={self.year}")

    def dashboard(self, s, rng, unit, mine, record, index):
        self.timed(record, "dashboard", s, f"/units/{unit.pk}/dashboard/?year={self.year}")


def province_seed_unit(username):
    from unionapp.models import Assignment

    return Assignment.objects.select_related("unit").get(user__username=username).unit


SECRETARIES = 10


def secretaries(n: int) -> dict:
    """{username: cell}: bench_chidoan and, in the next cells of the same base union, n - 1 more
    secretaries (created on first use, with the demo password)."""
    from django.contrib.auth.models import User

    from unionapp.models import Assignment, Kind, Role, Unit

    first = province_seed_unit("bench_chidoan")
    cells = [
        first,
        *Unit.objects.filter(parent_id=first.parent_id, kind=Kind.CELL).exclude(pk=first.pk).order_by("path"),
    ]
    found = {"bench_chidoan": first}
    for i, cell in enumerate(cells[1:n], start=2):
        username = f"bench_chidoan{i}"
        user = User.objects.filter(username=username).first() or User.objects.create_user(
            username, password=demo.DEMO_PASSWORD
        )
        Assignment.objects.get_or_create(user=user, unit=cell, role=Role.CELL_SECRETARY)
        found[username] = cell
    return found
