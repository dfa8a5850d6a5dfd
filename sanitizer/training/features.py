"""The learned layer's features, exactly as sanitizer/src/learned_model.cc computes them.

Text → folded view (an approximation of the C++ view for training text; the C++ view is the
reference and the fixture test checks both agree on the strings in it) → tokens → hashed
features → windows. Kept in one small module so the C++ port has one thing to match.

Tokens: maximal runs of bytes in [a-z0-9@$] or >= 0x80 of the folded view (UTF-8 bytes).
A token followed by "://" starts a URL: it and everything up to the next space, newline, tab,
or one of ) ] > " ' are skipped (URLs are the rules' business: placeholder queries, markdown
images; their words would otherwise teach the model that links are attacks).
A run that looks like a digest, a base64 chunk or an id (ASCII only, letters and digits mixed,
at least OPAQUE_MIN bytes, or at least OPAQUE_SHORT bytes with a digit leetspeak does not use:
2 6 8 9) is one token, OPAQUE, whatever its bytes: random letters and digits are not words, and
their trigrams would otherwise add up to an attack in a page of checksums.
Any other token holding an ASCII letter and one of 0 1 3 4 5 7 @ $ is read as leetspeak
(0→o 1→i 3→e 4→a 5→s 7→t @→a $→s). Per token i: a unigram feature and, for i > 0, a bigram
feature with token i-1; tokens of at least CHAR_MIN bytes add their character trigrams.
A window is WINDOW consecutive tokens; windows start every STRIDE tokens; a text of at most
WINDOW tokens is one window. A window counts each distinct token (by its unigram hash) once,
with its unigram and trigram features, and each distinct bigram (by its pair hash) once, so a
word repeated down a table column or a run of "no no no ..." weighs what it weighs once. A
window's score is bias + the sum of the weights of the features it counts. (A token is known by
its unigram hash, a pair by its pair hash, the one its bigram bucket is taken from.)
"""
import unicodedata

WINDOW = 64
STRIDE = 32
CHAR_MIN = 5
MAX_TOKEN = 32          # longer tokens are cut: base64 blobs and hashes say nothing more
MASK32 = 0xFFFFFFFF
OPAQUE = b"\x01"       # the token of every opaque run (not a token byte: no word hashes like it)
OPAQUE_MIN = 16
OPAQUE_SHORT = 8

def fnv1a(data, seed_byte):
    h = 2166136261
    h ^= seed_byte
    h = (h * 16777619) & MASK32
    for b in data:
        h ^= b
        h = (h * 16777619) & MASK32
    return h

def fmix(x):
    x ^= x >> 16
    x = (x * 0x85EBCA6B) & MASK32
    x ^= x >> 13
    x = (x * 0xC2B2AE35) & MASK32
    x ^= x >> 16
    return x

def bucket(h, bits):
    return fmix(h) >> (32 - bits)

LEET = {ord("0"): ord("o"), ord("1"): ord("i"), ord("3"): ord("e"), ord("4"): ord("a"),
        ord("5"): ord("s"), ord("7"): ord("t"), ord("@"): ord("a"), ord("$"): ord("s")}

def is_token_byte(b):
    return (97 <= b <= 122) or (48 <= b <= 57) or b == 64 or b == 36 or b >= 0x80

URL_END = set(b" \n\t)]>\"'")

def is_opaque(run):
    if len(run) < OPAQUE_SHORT or any(b >= 0x80 for b in run):
        return False
    if not any(97 <= b <= 122 for b in run) or not any(48 <= b <= 57 for b in run):
        return False
    return len(run) >= OPAQUE_MIN or any(b in b"2689" for b in run)

def tokens(folded_bytes):
    out, i, n = [], 0, len(folded_bytes)
    while i < n:
        if not is_token_byte(folded_bytes[i]):
            i += 1
            continue
        j = i
        while j < n and is_token_byte(folded_bytes[j]):
            j += 1
        if folded_bytes[j:j + 3] == b"://":
            while j < n and folded_bytes[j] not in URL_END:
                j += 1
            i = j
            continue
        if is_opaque(folded_bytes[i:j]):
            out.append(OPAQUE)
            i = j
            continue
        tok = folded_bytes[i:min(j, i + MAX_TOKEN)]
        if any(97 <= b <= 122 for b in tok) and any(b in LEET for b in tok):
            tok = bytes(LEET.get(b, b) for b in tok)
        out.append(tok)
        i = j
    return out

def token_keys(toks):
    """Per token, (its unigram hash, its pair hash or None for the first token)."""
    keys, prev = [], None
    for tok in toks:
        u = fnv1a(tok, 1)
        keys.append((u, None if prev is None else ((prev * 0x9E3779B1) & MASK32) ^ u))
        prev = u
    return keys

def token_features(toks, bits):
    """Per token, the list of its feature buckets (unigram, bigram, char trigrams)."""
    feats = []
    for tok, (u, pair) in zip(toks, token_keys(toks)):
        f = [bucket(u, bits)]
        if pair is not None:
            f.append(bucket(pair, bits))
        if len(tok) >= CHAR_MIN:
            for k in range(len(tok) - 2):
                f.append(bucket(fnv1a(tok[k:k + 3], 3), bits))
        feats.append(f)
    return feats

def window_features(tf, keys, s, e):
    """The feature buckets window [s, e) counts: the own features (unigram, trigrams) of the
    first occurrence in the window of each token, the bigram of the first occurrence of each
    pair."""
    seen_u, seen_b, out = set(), set(), []
    for k in range(s, e):
        u, b = keys[k]
        if u not in seen_u:
            seen_u.add(u)
            out.append(tf[k][0])
            out.extend(tf[k][2:] if b is not None else tf[k][1:])
        if b is not None and b not in seen_b:
            seen_b.add(b)
            out.append(tf[k][1])
    return out

def windows(n):
    if n <= WINDOW:
        return [(0, n)]
    out, s = [], 0
    while True:
        out.append((s, min(n, s + WINDOW)))
        if s + WINDOW >= n:
            return out
        s += STRIDE

# ---- folding (training-side approximation of the C++ folded view) ----
LOOKALIKE = {0x0430: 'a', 0x0432: 'b', 0x0435: 'e', 0x0451: 'e', 0x043A: 'k', 0x043C: 'm', 0x043D: 'h',
             0x043E: 'o', 0x0440: 'p', 0x0441: 'c', 0x0442: 't', 0x0443: 'y', 0x0445: 'x', 0x0455: 's',
             0x0456: 'i', 0x0457: 'i', 0x0458: 'j', 0x0501: 'd', 0x051B: 'q', 0x051D: 'w', 0x04BB: 'h',
             0x04CF: 'l', 0x0491: 'r', 0x03B1: 'a', 0x03B2: 'b', 0x03B5: 'e', 0x03B7: 'n', 0x03B9: 'i',
             0x03BA: 'k', 0x03BD: 'v', 0x03BF: 'o', 0x03C1: 'p', 0x03C4: 't', 0x03C5: 'u', 0x03C7: 'x',
             0x03B3: 'y', 0x03C9: 'w', 0x03BC: 'u', 0x03F2: 'c', 0x03F3: 'j', 0x0251: 'a', 0x0261: 'g',
             0x0269: 'i', 0x026A: 'i', 0x028F: 'y', 0x0280: 'r', 0x0131: 'i', 0x0237: 'j', 0x0585: 'o',
             0x057D: 'u', 0x0578: 'n', 0x0111: 'd', 0x0110: 'd'}
DROP = set([0x200B, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064, 0xFEFF, 0x180E, 0x202A, 0x202B, 0x202C, 0x202D,
            0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200C, 0x200D, 0x200E, 0x200F, 0x00AD, 0x034F, 0x061C,
            0x115F, 0x1160, 0x3164, 0xFFA0] + list(range(0xFE00, 0xFE10)) + list(range(0xE0000, 0xE0080)))
LUMP = {"\u2018": "'", "\u2019": "'", "\u201C": '"', "\u201D": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00A0": " ", "\u2026": "..."}

def fold(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp in DROP:
            continue
        if ch in "\n\u2028\u2029\u0085":
            while out and out[-1] == " ":
                out.pop()
            out.append("\n")
            continue
        if ch in " \t\r\f\v" or cp < 0x20 or cp == 0x7F or 0x80 <= cp <= 0x9F:
            if out and out[-1] not in " \n":
                out.append(" ")
            continue
        if cp in LOOKALIKE:
            out.append(LOOKALIKE[cp])
            continue
        if cp < 0x80:
            out.append(ch.lower())
            continue
        s = LUMP.get(ch, ch)
        s = unicodedata.normalize("NFKD", s.casefold())
        s = "".join(c for c in s if unicodedata.category(c) != "Mn")
        s = "".join(LOOKALIKE.get(ord(c), c) for c in s)
        for c in s:
            if c == " ":
                if out and out[-1] not in " \n":
                    out.append(" ")
            else:
                out.append(c)
    return "".join(out)
