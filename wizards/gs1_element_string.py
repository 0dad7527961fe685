"""Splitting a scanned GS1 element string into its Application Identifiers (AIs).

Odoo's ``barcodes_gs1_nomenclature`` decomposes a barcode with the regular expressions of
the GS1 nomenclature's rules. It does not serve a receipt capture on its own: a value that
fails (a bad GTIN check digit, a date that does not exist) makes the whole string fail
with no word on which AI or why, the human-readable form with parentheses is not read,
and an AI the rules do not know stops the decomposition. So the string is cut here, by
the GS1 General Specifications' table of AI lengths (section 3), each AI with its own
error; Odoo's ``gs1_date_to_date`` is still used for the dates (century rule, DD = 00).
"""

import re

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

GS = "\x1d"
# symbology identifiers a scanner may send first (GS1-128, DataMatrix, QR, DotCode)
SYMBOLOGY_PREFIXES = ("]C1", "]d2", "]Q3", "]J1", "]e0")
# GS1's character set 82, allowed in alphanumeric AIs (lot, serial)
CSET82 = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$")

# AI: (fixed data length, or None for variable; maximum length; kind)
AIS = {
    "00": (18, 18, "sscc"),
    "01": (14, 14, "gtin"),
    "02": (14, 14, "content_gtin"),
    "10": (None, 20, "lot"),
    "11": (6, 6, "production_date"),
    "12": (6, 6, "due_date"),
    "13": (6, 6, "packaging_date"),
    "15": (6, 6, "best_before"),
    "16": (6, 6, "sell_by"),
    "17": (6, 6, "expiry"),
    "20": (2, 2, "variant"),
    "21": (None, 20, "serial"),
    "22": (None, 20, "cpv"),
    "240": (None, 30, "additional_id"),
    "241": (None, 30, "customer_part"),
    "30": (None, 8, "count"),
    "37": (None, 8, "count"),
    "400": (None, 30, "order"),
    "410": (13, 13, "ship_to"),
    "414": (13, 13, "location"),
    "420": (None, 20, "ship_to_postal"),
    "422": (3, 3, "origin_country"),
}
# net weight: 310n in kilograms, 320n in pounds, n = number of decimals
for decimals in range(10):
    AIS[f"310{decimals}"] = (6, 6, "net_weight_kg")
    AIS[f"320{decimals}"] = (6, 6, "net_weight_lb")
# AIs whose length is predefined by their first two digits (GS1 General Specifications,
# figure 5.10.1-2): no separator follows them
PREDEFINED_LENGTH = {"00", "01", "02", "03", "04", "11", "12", "13", "14", "15", "16", "17"}
PREDEFINED_LENGTH |= {"18", "19", "20", "31", "32", "33", "34", "35", "36", "41"}


class ElementStringError(ValueError):
    """A scanned string that cannot be cut into AIs; the message is for the user."""


def normalize(text):
    """The scanned ``text`` without its symbology identifier, leading separator and the
    spaces or line ends a scanner or a paste adds."""
    text = (text or "").strip().replace("\r", "")
    for prefix in SYMBOLOGY_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.lstrip(GS).strip()


def split_element_string(text):
    """``[(ai, value), ...]`` of a scanned string, in order.

    Reads the human-readable form ``(01)09506000134352(10)ABC`` and the raw form where a
    variable-length value ends with the GS character (ASCII 29) or the end of the string.
    """
    text = normalize(text)
    if not text:
        raise ElementStringError(_lt("empty scan"))
    if text.startswith("("):
        return _split_human_readable(text)
    return _split_raw(text)


def _split_human_readable(text):
    parts = re.findall(r"\(([0-9]{2,4})\)([^()]*)", text)
    if "".join(f"({ai}){value}" for ai, value in parts) != text:
        raise ElementStringError(_lt("the text between parentheses is not a list of AIs"))
    pairs = []
    for ai, value in parts:
        fixed, maximum, _kind = _ai_spec(ai)
        _check_length(ai, value, fixed, maximum)
        pairs.append((ai, value))
    return pairs


def _split_raw(text):
    pairs, position = [], 0
    while position < len(text):
        if text[position] == GS:
            position += 1
            continue
        ai = _ai_at(text, position)
        fixed, maximum, _kind = AIS[ai]
        start = position + len(ai)
        if fixed:
            value = text[start : start + fixed]
            end = start + fixed
        else:
            end = text.find(GS, start)
            end = len(text) if end < 0 else end
            value = text[start:end]
        _check_length(ai, value, fixed, maximum)
        pairs.append((ai, value))
        position = end
    return pairs


def _ai_at(text, position):
    for length in (2, 3, 4):
        candidate = text[position : position + length]
        if candidate in AIS:
            return candidate
    raise ElementStringError(
        _lt("unknown or unsupported AI at “%(start)s…”", start=text[position : position + 4])
    )


def _ai_spec(ai):
    if ai not in AIS:
        raise ElementStringError(_lt("unknown or unsupported AI (%(ai)s)", ai=ai))
    return AIS[ai]


def _check_length(ai, value, fixed, maximum):
    if fixed and len(value) != fixed:
        raise ElementStringError(
            _lt(
                "AI (%(ai)s) needs %(fixed)s characters, got %(got)s",
                ai=ai,
                fixed=fixed,
                got=len(value),
            )
        )
    if not value:
        raise ElementStringError(_lt("AI (%(ai)s) has no value", ai=ai))
    if len(value) > maximum:
        raise ElementStringError(
            _lt("AI (%(ai)s) takes at most %(maximum)s characters", ai=ai, maximum=maximum)
        )
