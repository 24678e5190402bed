"""Tokyo's 23 wards and nearby cities: name normalisation, adjacency, BFS hop distances.

The adjacency table is deliberately small and approximate: two areas are neighbours when they
share a land border or a short river/bay crossing that people actually use.  Hop counts only
need to tell "same", "next door", "two over" and "far" apart, not exact travel times.
"""

import re
import unicodedata
from collections import deque
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

# Canonical names (the API's and the table's spelling), in a fixed order: index = area id.
AREAS: tuple[str, ...] = (
    # 23 special wards
    "Chiyoda",
    "Chuo",
    "Minato",
    "Shinjuku",
    "Bunkyo",
    "Taito",
    "Sumida",
    "Koto",
    "Shinagawa",
    "Meguro",
    "Ota",
    "Setagaya",
    "Shibuya",
    "Nakano",
    "Suginami",
    "Toshima",
    "Kita",
    "Arakawa",
    "Itabashi",
    "Nerima",
    "Adachi",
    "Katsushika",
    "Edogawa",
    # Tama cities next to the wards
    "Musashino",
    "Mitaka",
    "Chofu",
    "Komae",
    "Nishitokyo",
    "Fuchu",
    "Koganei",
    # Kanagawa
    "Kawasaki",
    "Yokohama",
    # Saitama
    "Kawaguchi",
    "Warabi",
    "Toda",
    "Wako",
    "Soka",
    "Saitama",
    # Chiba
    "Ichikawa",
    "Urayasu",
    "Matsudo",
    "Funabashi",
)

# Undirected edges; listing pairs (not per-area neighbour lists) keeps the graph symmetric.
_EDGES: tuple[tuple[str, str], ...] = (
    ("Chiyoda", "Chuo"),
    ("Chiyoda", "Minato"),
    ("Chiyoda", "Shinjuku"),
    ("Chiyoda", "Bunkyo"),
    ("Chiyoda", "Taito"),
    ("Chuo", "Minato"),
    ("Chuo", "Taito"),
    ("Chuo", "Sumida"),
    ("Chuo", "Koto"),
    ("Minato", "Shinjuku"),
    ("Minato", "Shibuya"),
    ("Minato", "Shinagawa"),
    ("Minato", "Koto"),
    ("Shinjuku", "Shibuya"),
    ("Shinjuku", "Nakano"),
    ("Shinjuku", "Toshima"),
    ("Shinjuku", "Bunkyo"),
    ("Bunkyo", "Toshima"),
    ("Bunkyo", "Kita"),
    ("Bunkyo", "Arakawa"),
    ("Bunkyo", "Taito"),
    ("Taito", "Arakawa"),
    ("Taito", "Sumida"),
    ("Sumida", "Koto"),
    ("Sumida", "Arakawa"),
    ("Sumida", "Adachi"),
    ("Sumida", "Katsushika"),
    ("Sumida", "Edogawa"),
    ("Koto", "Edogawa"),
    ("Koto", "Shinagawa"),
    ("Shinagawa", "Meguro"),
    ("Shinagawa", "Ota"),
    ("Meguro", "Shibuya"),
    ("Meguro", "Setagaya"),
    ("Meguro", "Ota"),
    ("Ota", "Setagaya"),
    ("Ota", "Kawasaki"),
    ("Setagaya", "Shibuya"),
    ("Setagaya", "Suginami"),
    ("Setagaya", "Mitaka"),
    ("Setagaya", "Chofu"),
    ("Setagaya", "Komae"),
    ("Setagaya", "Kawasaki"),
    ("Shibuya", "Nakano"),
    ("Shibuya", "Suginami"),
    ("Nakano", "Suginami"),
    ("Nakano", "Nerima"),
    ("Nakano", "Toshima"),
    ("Suginami", "Nerima"),
    ("Suginami", "Musashino"),
    ("Suginami", "Mitaka"),
    ("Toshima", "Kita"),
    ("Toshima", "Itabashi"),
    ("Toshima", "Nerima"),
    ("Kita", "Arakawa"),
    ("Kita", "Adachi"),
    ("Kita", "Itabashi"),
    ("Kita", "Kawaguchi"),
    ("Kita", "Toda"),
    ("Arakawa", "Adachi"),
    ("Itabashi", "Nerima"),
    ("Itabashi", "Wako"),
    ("Itabashi", "Toda"),
    ("Nerima", "Musashino"),
    ("Nerima", "Nishitokyo"),
    ("Nerima", "Wako"),
    ("Adachi", "Katsushika"),
    ("Adachi", "Kawaguchi"),
    ("Adachi", "Soka"),
    ("Katsushika", "Edogawa"),
    ("Katsushika", "Matsudo"),
    ("Katsushika", "Ichikawa"),
    ("Edogawa", "Ichikawa"),
    ("Edogawa", "Urayasu"),
    ("Musashino", "Mitaka"),
    ("Musashino", "Nishitokyo"),
    ("Musashino", "Koganei"),
    ("Mitaka", "Chofu"),
    ("Mitaka", "Koganei"),
    ("Mitaka", "Fuchu"),
    ("Chofu", "Komae"),
    ("Chofu", "Fuchu"),
    ("Chofu", "Kawasaki"),
    ("Komae", "Kawasaki"),
    ("Nishitokyo", "Koganei"),
    ("Fuchu", "Koganei"),
    ("Fuchu", "Kawasaki"),
    ("Kawasaki", "Yokohama"),
    ("Kawaguchi", "Warabi"),
    ("Kawaguchi", "Toda"),
    ("Kawaguchi", "Saitama"),
    ("Kawaguchi", "Soka"),
    ("Warabi", "Toda"),
    ("Warabi", "Saitama"),
    ("Toda", "Saitama"),
    ("Toda", "Wako"),
    ("Ichikawa", "Urayasu"),
    ("Ichikawa", "Matsudo"),
    ("Ichikawa", "Funabashi"),
)

# Japanese spellings (with the 区/市 suffix; the bare form is derived) and romanisation
# variants (long vowels written oh/ou/uu, or Kunrei-shiki) per canonical name.
_ALIASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Chiyoda", ("千代田区",)),
    ("Chuo", ("中央区", "chuuou", "chuou")),
    ("Minato", ("港区",)),
    ("Shinjuku", ("新宿区", "sinzyuku")),
    ("Bunkyo", ("文京区", "bunkyou")),
    ("Taito", ("台東区", "taitou")),
    ("Sumida", ("墨田区",)),
    ("Koto", ("江東区", "koutou", "kohtoh")),
    ("Shinagawa", ("品川区", "sinagawa")),
    ("Meguro", ("目黒区",)),
    ("Ota", ("大田区", "ohta", "outa")),
    ("Setagaya", ("世田谷区",)),
    ("Shibuya", ("渋谷区", "sibuya")),
    ("Nakano", ("中野区",)),
    ("Suginami", ("杉並区",)),
    ("Toshima", ("豊島区", "tosima")),
    ("Kita", ("北区",)),
    ("Arakawa", ("荒川区",)),
    ("Itabashi", ("板橋区", "itabasi")),
    ("Nerima", ("練馬区",)),
    ("Adachi", ("足立区", "adati")),
    ("Katsushika", ("葛飾区", "katusika")),
    ("Edogawa", ("江戸川区",)),
    ("Musashino", ("武蔵野市", "musasino")),
    ("Mitaka", ("三鷹市",)),
    ("Chofu", ("調布市", "choufu", "chouhu", "tyouhu")),
    ("Komae", ("狛江市",)),
    ("Nishitokyo", ("西東京市", "nishitoukyou")),
    ("Fuchu", ("府中市", "fuchuu", "hutyuu")),
    ("Koganei", ("小金井市",)),
    ("Kawasaki", ("川崎市",)),
    ("Yokohama", ("横浜市",)),
    ("Kawaguchi", ("川口市",)),
    ("Warabi", ("蕨市",)),
    ("Toda", ("戸田市",)),
    ("Wako", ("和光市", "wakou")),
    ("Soka", ("草加市", "souka")),
    ("Saitama", ("さいたま市", "埼玉市")),
    ("Ichikawa", ("市川市",)),
    ("Urayasu", ("浦安市",)),
    ("Matsudo", ("松戸市",)),
    ("Funabashi", ("船橋市",)),
)

# Macrons and circumflexes that Hepburn uses for long vowels (Ōta, Chūō, Kôtô).
_LONG_VOWELS = str.maketrans("āâēêīîōôūûĀÂĒÊĪÎŌÔŪÛ", "aaeeiioouuaaeeiioouu")
# Prefecture / metropolis prefixes that say nothing about the ward or city.
_JA_PREFIXES = ("東京都", "神奈川県", "埼玉県", "千葉県", "日本")
# Latin words around a name that are not part of it ("Shinjuku-ku, Tokyo", "City of Chofu").
_LATIN_NOISE = frozenset(
    {"ku", "shi", "city", "ward", "to", "tokyo", "japan", "of", "the", "ken", "prefecture"}
)
_LATIN_SPLIT = re.compile(r"[\s,./\-_()'’]+")
_SUFFIX = re.compile(r"(?:ku|shi|city|ward)$")


def _fold(name: str) -> str:
    """Case, width and long-vowel marks folded away: 'Ōta-Ku' -> 'ota-ku', '新宿区' unchanged."""
    return unicodedata.normalize("NFKC", name).translate(_LONG_VOWELS).strip().lower()


@cache
def _alias_table() -> Mapping[str, int]:
    """Folded spelling -> area index (built once; a read-only view, shared by all callers)."""
    index = {name: i for i, name in enumerate(AREAS)}
    table: dict[str, int] = {}
    for name, i in index.items():
        table[_fold(name)] = i
    for name, aliases in _ALIASES:
        for alias in aliases:
            table[_fold(alias)] = index[name]
            if alias.endswith(("区", "市")) and len(alias) > 2:
                table[alias[:-1]] = index[name]  # 新宿区 -> 新宿 (not 北区 -> 北: too ambiguous)
    return MappingProxyType(table)


@cache
def _ja_prefixes() -> tuple[tuple[str, int], ...]:
    """Japanese spellings, longest first, for addresses such as 川崎市中原区 or 新宿区西新宿."""
    table = _alias_table()
    ja = [(k, v) for k, v in table.items() if not k.isascii()]
    return tuple(sorted(ja, key=lambda kv: -len(kv[0])))


def area_index(name: str) -> int | None:
    """Index into AREAS for a ward/city name in any supported spelling, else None."""
    if not isinstance(name, str) or len(name) > 200:
        return None
    s = _fold(name)
    if not s or len(s) > 100:
        return None
    table = _alias_table()
    hit = table.get(s)
    if hit is not None:
        return hit
    if not s.isascii():
        rest = s.replace(" ", "").replace("　", "")
        for prefix in _JA_PREFIXES:
            rest = rest.removeprefix(prefix)
        for key, i in _ja_prefixes():
            if rest.startswith(key):
                return i
        s = "".join(ch if ch.isascii() else " " for ch in s)  # mixed: try the Latin part
    joined = re.sub(r"[\s\-_.]+", "", s)
    for cand in (joined, _SUFFIX.sub("", joined)):
        if cand in table:
            return table[cand]
    # "Tokyo-to Shinjuku-ku", "Kawasaki-shi Nakahara-ku": first known word wins.
    for word in _LATIN_SPLIT.split(s):
        if not word or word in _LATIN_NOISE:
            continue
        for cand in (word, _SUFFIX.sub("", word)):
            if len(cand) >= 3 and cand in table:
                return table[cand]
    return None


def known_area(name: str) -> str | None:
    """Canonical name ('Ota') for a supported spelling ('Ōta-ku', '大田区', 'ota city'), else None.

    For the API: reject an area it cannot place, and store the canonical spelling.
    """
    i = area_index(name)
    return None if i is None else AREAS[i]


@cache
def _neighbour_lists() -> tuple[tuple[int, ...], ...]:
    index = {name: i for i, name in enumerate(AREAS)}
    adj: list[set[int]] = [set() for _ in AREAS]
    for a, b in _EDGES:
        adj[index[a]].add(index[b])
        adj[index[b]].add(index[a])
    return tuple(tuple(sorted(s)) for s in adj)


def neighbours(name: str) -> tuple[str, ...]:
    """Canonical names of the areas next to `name` (empty for an unknown name)."""
    i = area_index(name)
    return () if i is None else tuple(AREAS[j] for j in _neighbour_lists()[i])


UNREACHABLE = 255


@cache
def hop_matrix() -> NDArray[np.uint8]:
    """[len(AREAS), len(AREAS)] BFS hop counts; UNREACHABLE where no path.  Read-only."""
    adj = _neighbour_lists()
    n = len(AREAS)
    hops = np.full((n, n), UNREACHABLE, dtype=np.uint8)
    for src in range(n):
        hops[src, src] = 0
        queue = deque([src])
        while queue:
            cur = queue.popleft()
            for nxt in adj[cur]:
                if hops[src, nxt] == UNREACHABLE:
                    hops[src, nxt] = hops[src, cur] + 1
                    queue.append(nxt)
    hops.setflags(write=False)  # shared by every caller: nobody may edit it
    return hops


def hops(a: str, b: str) -> int | None:
    """BFS hops between two areas (0 = same), None if either is unknown or unreachable."""
    i, j = area_index(a), area_index(b)
    if i is None or j is None:
        return None
    h = int(hop_matrix()[i, j])
    return None if h == UNREACHABLE else h
