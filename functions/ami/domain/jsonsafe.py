"""A bound on how deeply a JSON body nests, checked before any parser recurses into it.

100,000 `[` fit in a 200 KB body (under the API's size limit) and made `json.loads` raise
RecursionError: a 500. Our bodies nest four levels at most (dossier → operation → logements →
typology), so anything deeper than MAX_DEPTH is refused before parsing, in linear time and
constant stack.
"""

from __future__ import annotations

import re

MAX_DEPTH = 32

# Strings first (so brackets inside them do not count), then the brackets themselves.
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)


def depth_exceeds(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """True when `data`, read as JSON, opens more than `limit` arrays or objects inside one another.

    Not a validator: malformed input that stays shallow is left to the parser to refuse.
    """
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for m in _TOKENS.finditer(data):
        token = m.group()
        if token in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif token in (b"]", b"}"):
            depth = max(depth - 1, 0)
    return False
