"""A person's name as billing formats want it: family name and given names.

ptclock keeps one name as typed. "Lee, Dana" is split at the comma (family first, the way
a clinic's lists are written); "Dana Lee" at the last space. A name of one word is the
family name. The whole name is kept beside the parts wherever the format has room for it
(FHIR ``HumanName.text``), so nothing typed is lost.
"""

from __future__ import annotations


def family_and_given(name: str) -> tuple[str, str]:
    name = " ".join(name.split())
    if not any(ch.isalnum() for ch in name):
        return name, ""  # no letters at all (",", "- -"): kept as typed, never emptied
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return (family, given) if family else (given, "")
    if " " in name:
        given, family = name.rsplit(" ", 1)
        return family, given
    return name, ""


def is_hcpcs_level_two(code: str) -> bool:
    """A HCPCS Level II code or modifier starts with a letter (G0283, GP, CQ, KX, XU); a CPT
    code is five digits (97110) and a CPT modifier two (59)."""
    return code[:1].isalpha()
