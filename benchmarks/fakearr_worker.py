"""fakearr in its own process for benchmarks, driven over stdin.

The server must not share the benchmark's interpreter (its JSON rendering
would compete for the GIL and its library would count in our peak RSS), and
the benchmark must still change the library between runs. Lines on stdin:

    mutate <fraction> <seed>   change that fraction of episodes (or movies)
    quit

Each command answers one JSON line on stdout. The first line printed is
{"url", "api_key", "version", "summary"}.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakearr import FakeArr


def mutate(arr: FakeArr, fraction: float, seed: int) -> dict[str, int]:
    """Gain, lose or upgrade files and flip monitored flags on a random sample."""
    rng = random.Random(seed)
    lib = arr.library
    counts = {"gained": 0, "deleted": 0, "upgraded": 0, "flipped": 0}
    if lib.shape == "movies":
        ids = list(lib.movies)
        for movie_id in rng.sample(ids, max(1, int(len(ids) * fraction))):
            m = lib.movies[movie_id]
            roll = rng.random()
            if roll < 0.25:
                arr.set_movie_monitored(movie_id, not m.monitored)
                counts["flipped"] += 1
            elif m.file_id and roll < 0.5:
                arr.delete_movie_file(movie_id)
                counts["deleted"] += 1
            else:
                arr.upgrade_movie_file(movie_id)
                counts["gained" if not m.file_id else "upgraded"] += 1
        return counts
    ids = [eid for s in lib.series for eid in lib.iter_episodes(s)]
    for eid in rng.sample(ids, max(1, int(len(ids) * fraction))):
        roll = rng.random()
        has_file = bool(lib.episode_file_id(eid))
        if roll < 0.25:
            arr.set_monitored(not lib.episode_monitored(eid), episode_id=eid)
            counts["flipped"] += 1
        elif has_file and roll < 0.5:
            arr.delete_episode_file(eid)
            counts["deleted"] += 1
        elif has_file:
            arr.upgrade_episode_file(eid)
            counts["upgraded"] += 1
        else:
            arr.set_episode_file(eid)
            counts["gained"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", default="sonarr")
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--episodes-per-series", type=int, default=50)
    parser.add_argument("--movies", type=int, default=20000)
    args = parser.parse_args()
    arr = FakeArr(
        args.kind,
        series=args.series,
        episodes_per_series=args.episodes_per_series,
        movies=args.movies,
        seed=1,
        speed=0,
    )
    arr.serve_in_background()
    print(
        json.dumps(
            {
                "url": arr.url,
                "api_key": arr.api_key,
                "version": arr.profile.version,
                "kind": arr.kind,
                "summary": arr.summary(),
            }
        ),
        flush=True,
    )
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        if parts[0] == "mutate":
            result = mutate(arr, float(parts[1]), int(parts[2]))
            print(json.dumps(result), flush=True)
        else:
            print(json.dumps({"error": f"unknown command {parts[0]}"}), flush=True)
    arr.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
