"""The split a training row belongs to, decided by its text alone so that every script that
writes rows (import_sources.py, write_reagent_rows.py, write_hard_rows.py) puts the same text
in the same split, and a rerun puts it there again.

The first 8 bytes of the text's SHA-256 (UTF-8), read as a fraction of 2**64: below 0.70
train, below 0.85 calib, the rest test.
"""
import hashlib

TRAIN, CALIB = 0.70, 0.85


def split_of(text, calib=True):
    """"train", "calib" or "test". With calib=False (rows that must not set the thresholds,
    such as generated tool output, which is easy and plentiful: counted in calibration it would
    loosen the thresholds the natural rows set) the calib share is trained on instead; the test
    share is the same either way."""
    h = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big") / 2**64
    if h >= CALIB:
        return "test"
    return "calib" if calib and h >= TRAIN else "train"
