"""Benchmark: time from sending a 10,000-row placements file to the portal to its receipt page.

  # against a running portal (`sdsf portal`), with a partner account:
  .venv/bin/python benchmarks/portal_receipt.py --url http://127.0.0.1:8080 \
      --login CAF40 --secret '...' [--rows 10000] [--repeat 10]
  # or let it start a throw-away portal over a temporary data directory:
  .venv/bin/python benchmarks/portal_receipt.py --start [--repeat 10] [--rejected]

Each run sends a file with different content (so each is a new submission), follows the
redirect and reads the whole receipt page; prints the median and the max. Not a test.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = (
    "periode;code_structure;type_structure;code_commune;places;enfants_accueillis;"
    "dont_enfants_handicap;dont_familles_modestes;horaires_atypiques"
)
TYPES = ["EAJE_COLLECTIF", "MICRO_CRECHE", "ASSISTANT_MATERNEL", "PRESCOLARISATION", "ALSH"]
# Real Landes communes, so the file is accepted and the receipt is the common case.
COMMUNES = ["40192", "40088", "40046", "40281", "40312", "40243", "40279", "40065"]


def make_file(rows: int, tag: str, seed: int = 1, rejected: bool = False) -> bytes:
    """A placements file; ``rejected``: two rows in three name a commune that does not exist."""
    rng = random.Random(seed)
    communes = ["99991", "99992", COMMUNES[0]] if rejected else COMMUNES
    lines = [HEADER]
    for i in range(rows):
        places = rng.randint(1, 80)
        enrolled = places + rng.randint(0, 20)
        lines.append(
            f"2017;{tag}-{i:06d};{TYPES[i % 5]};{communes[i % len(communes)]};{places};{enrolled};"
            f"{rng.randint(0, min(2, enrolled))};{rng.randint(0, enrolled // 3)};"
            f"{'oui' if i % 9 == 0 else 'non'}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


class Session:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as r:
            return r.read().decode("utf-8")

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.get(path))[1]

    def sign_in(self, login: str, secret: str) -> None:
        body = urllib.parse.urlencode(
            {"csrf": self.csrf("/connexion"), "identifiant": login, "mot_de_passe": secret}
        ).encode()
        with self.opener.open(self.base + "/connexion", body, timeout=60) as r:
            if "/connexion" in r.url:
                sys.exit("sign-in refused: check --login and --secret")

    def upload(self, data: bytes, token: str) -> tuple[float, str]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="type"\r\n\r\nplacements\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="fichier"; '
                'filename="placements.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + "/envoi",
            data=body,
            headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        )
        start = time.perf_counter()
        with self.opener.open(request, timeout=120) as r:  # follows the 303 to the receipt
            page = r.read().decode("utf-8")
        return time.perf_counter() - start, page


def start_portal(home: Path) -> tuple[subprocess.Popen, str, str, str]:
    """A portal over ``home`` with one partner account; returns process, url, login, secret."""
    env = dict(os.environ, SDSF_HOME=str(home))
    sdsf = str(Path(sys.executable).with_name("sdsf"))
    created = subprocess.run(
        [sdsf, "portal-account", "create", "--partner", "CAF40"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    secret = created.stdout.strip().splitlines()[-1].rsplit(" : ", 1)[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [sdsf, "portal", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/connexion", timeout=5).close()
            return process, url, "CAF40", secret
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("the portal did not start within 90 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--login", default=os.environ.get("SDSF_PORTAL_LOGIN"))
    parser.add_argument("--secret", default=os.environ.get("SDSF_PORTAL_SECRET"))
    parser.add_argument("--start", action="store_true", help="start a throw-away portal")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--rejected", action="store_true", help="files with thousands of errors (receipt capped)"
    )
    args = parser.parse_args()
    process = tmp = None
    if args.start:
        tmp = tempfile.TemporaryDirectory()
        process, args.url, args.login, args.secret = start_portal(Path(tmp.name))
    elif not (args.login and args.secret):
        parser.error("--login and --secret (or --start) are required")
    try:
        session = Session(args.url)
        session.sign_in(args.login, args.secret)
        token = session.csrf("/espace")
        times = []
        for run in range(args.repeat):
            data = make_file(args.rows, f"B{run:02d}{uuid.uuid4().hex[:6]}", rejected=args.rejected)
            elapsed, page = session.upload(data, token)
            outcome = "ACCEPTÉ" if "ACCEPTÉ" in page else "REFUSÉ" if "REFUSÉ" in page else "?"
            print(f"run {run + 1}: {elapsed:.3f} s ({len(data) / 1e6:.2f} MB, {outcome})")
            times.append(elapsed)
        print(
            f"{args.rows} rows, {len(times)} uploads: time to the receipt page "
            f"median {statistics.median(times):.3f} s, max {max(times):.3f} s"
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=15)
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
