"""python -m tests.fakearr --kind sonarr --port 8989 --series 200

Prints the URL and API key, then serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .profiles import DEFAULT_VERSIONS
from .server import FakeArr
from .simulation import SimConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakearr", description="Run a simulated *arr app."
    )
    parser.add_argument(
        "--kind",
        required=True,
        help="sonarr | radarr | whisparr_v2 | whisparr_v3 (or whisparr + --version)",
    )
    parser.add_argument(
        "--version", default=None, help=f"app version (defaults: {DEFAULT_VERSIONS})"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port")
    parser.add_argument("--series", type=int, default=20)
    parser.add_argument("--episodes-per-series", type=int, default=60)
    parser.add_argument("--movies", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--url-base", default="")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated seconds per wall second (0 = frozen)"
    )
    parser.add_argument(
        "--import-delay",
        type=float,
        default=SimConfig.import_delay,
        help="mean download time, simulated seconds",
    )
    parser.add_argument("--grab-probability", type=float, default=SimConfig.grab_probability)
    parser.add_argument(
        "--rss-interval",
        type=float,
        default=0.0,
        help="simulated seconds between RSS grabs (0 = off)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = SimConfig(
        import_delay=args.import_delay,
        grab_probability=args.grab_probability,
        rss_interval=args.rss_interval,
    )
    try:
        arr = FakeArr(
            args.kind,
            version=args.version,
            series=args.series,
            episodes_per_series=args.episodes_per_series,
            movies=args.movies,
            seed=args.seed,
            api_key=args.api_key,
            url_base=args.url_base,
            speed=args.speed,
            config=config,
            host=args.host,
            port=args.port,
        )
    except ValueError as exc:
        print(f"fakearr: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    arr.serve_in_background()
    print(f"fakearr {arr.profile.app_name} {arr.profile.version} ({arr.profile.kind})", flush=True)
    print(f"URL: {arr.url}", flush=True)
    print(f"API key: {arr.api_key}", flush=True)
    print(f"Library: {arr.summary()} (generated in {arr.generation_seconds:.2f}s)", flush=True)
    stop.wait()
    arr.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
