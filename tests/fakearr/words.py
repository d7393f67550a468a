"""Deterministic names: titles come from word lists indexed by hashes of ids."""

from __future__ import annotations

ADJECTIVES = (
    "Silent",
    "Broken",
    "Golden",
    "Hidden",
    "Last",
    "Crimson",
    "Northern",
    "Lost",
    "Bright",
    "Iron",
    "Wild",
    "Secret",
    "Quiet",
    "Burning",
    "Distant",
    "Frozen",
    "Electric",
    "Velvet",
    "Hollow",
    "Savage",
    "Little",
    "Endless",
    "Midnight",
    "Paper",
    "Glass",
    "Stone",
    "Shadow",
    "Silver",
    "Restless",
    "Open",
)
NOUNS = (
    "River",
    "Empire",
    "Garden",
    "Signal",
    "Harbor",
    "Kingdom",
    "Station",
    "Orchard",
    "Frontier",
    "Circuit",
    "Tide",
    "Machine",
    "Island",
    "Letter",
    "Valley",
    "Engine",
    "Archive",
    "Crown",
    "Desert",
    "Lantern",
    "Protocol",
    "Mirror",
    "Forest",
    "Canyon",
    "Republic",
    "Voyage",
    "Cartel",
    "Academy",
    "Hospital",
    "Precinct",
)
EPISODE_WORDS = (
    "Pilot",
    "Return",
    "Reckoning",
    "Crossroads",
    "Homecoming",
    "Fallout",
    "Exodus",
    "Legacy",
    "Awakening",
    "Betrayal",
    "Ghosts",
    "Origins",
    "Judgement",
    "Sacrifice",
    "Revelations",
    "Parallels",
    "Descent",
    "Thaw",
    "Aftermath",
    "Threshold",
    "Rupture",
    "Echoes",
    "Vigil",
    "Gambit",
    "Undertow",
    "Tinder",
    "Harvest",
    "Zero",
)
NETWORKS = (
    "HBO",
    "AMC",
    "BBC One",
    "Netflix",
    "FX",
    "NBC",
    "CBS",
    "ABC",
    "Hulu",
    "Channel 4",
    "Apple TV+",
)
STUDIOS = (
    "Blue Harbor",
    "Northlight",
    "Red Orchard",
    "Velvet Room",
    "Copperline",
    "Parallax",
    "Studio Nine",
)
GENRES = (
    "Drama",
    "Comedy",
    "Crime",
    "Sci-Fi",
    "Thriller",
    "Documentary",
    "Animation",
    "Mystery",
    "Action",
)
RELEASE_GROUPS = (
    "NTb",
    "FLUX",
    "CAKES",
    "SPARKS",
    "RARBG",
    "EDITH",
    "playWEB",
    "KiNGS",
    "GalaxyTV",
    "ETHEL",
)
PERFORMERS = (
    "Alex Rowe",
    "Sam Vale",
    "Jo Marsh",
    "Kai Dunn",
    "Lee Hart",
    "Max Penn",
    "Ari Cole",
    "Rio Banks",
)


def mix(*values: int) -> int:
    """A small deterministic integer hash (stable across runs, unlike hash())."""
    h = 0x9E3779B97F4A7C15
    for v in values:
        h ^= (v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)) & 0xFFFFFFFFFFFFFFFF
        h = (h * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return h ^ (h >> 31)


def show_title(n: int, seed: int) -> str:
    h = mix(seed, n, 1)
    title = f"The {ADJECTIVES[h % len(ADJECTIVES)]} {NOUNS[(h >> 8) % len(NOUNS)]}"
    # The number keeps titles unique: the apps refuse two items with the same title slug.
    return f"{title} ({n})"


def episode_title(episode_id: int, seed: int) -> str:
    h = mix(seed, episode_id, 2)
    return f"{EPISODE_WORDS[h % len(EPISODE_WORDS)]} {ADJECTIVES[(h >> 9) % len(ADJECTIVES)]}"


def sort_title(title: str) -> str:
    lowered = title.lower()
    for article in ("the ", "a ", "an "):
        if lowered.startswith(article):
            return lowered[len(article) :]
    return lowered


def slug(title: str) -> str:
    out = "".join(ch if ch.isalnum() else "-" for ch in title.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


def clean_title(title: str) -> str:
    return "".join(ch for ch in title.lower() if ch.isalnum())
