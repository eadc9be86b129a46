from __future__ import annotations

from typing import Any

import pytest

from tenfour_identity.domain.errors import ValidationFailed
from tenfour_identity.domain.provider import (
    FirstResponderCompetency,
    Gender,
    Modality,
    ProviderKind,
    ProviderProfile,
    Specialty,
    kind_for_role,
)
from tenfour_identity.domain.validation import build
from tenfour_shared.auth.roles import Role


def _profile(**changes: Any) -> ProviderProfile:
    data: dict[str, Any] = {
        "user_id": "t-1",
        "kind": "therapist",
        "jurisdictions": ["us-tx", "US-OK"],
        "specialties": ["trauma_ptsd", "critical_incident", "sleep"],
        "modalities": ["individual", "crisis_on_call"],
        "languages": ["EN-us", "es-419"],
        "gender": "female",
        "first_responder_competency": "lived_experience",
        "timezone": "America/Chicago",
        "bio": "  Former dispatcher.\r\nEMDR trained.  ",
    }
    return build(ProviderProfile, **{**data, **changes})


def _fields(caught: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {v.field for v in caught.value.violations}


def test_full_profile_is_normalised() -> None:
    profile = _profile()
    assert profile.kind is ProviderKind.THERAPIST
    assert profile.jurisdictions == frozenset({"US-TX", "US-OK"})
    assert Specialty.CRITICAL_INCIDENT in profile.specialties
    assert profile.modalities == frozenset({Modality.INDIVIDUAL, Modality.CRISIS_ON_CALL})
    assert profile.languages == ("en-US", "es-419")
    assert profile.gender is Gender.FEMALE
    assert profile.first_responder_competency is FirstResponderCompetency.LIVED_EXPERIENCE
    assert profile.bio == "Former dispatcher.\nEMDR trained."


@pytest.mark.parametrize(
    ("tag", "canonical"),
    [
        ("zh-hant-tw", "zh-Hant-TW"),
        ("SR-LATN", "sr-Latn"),
        ("en_GB", "en-GB"),
        ("de-CH-1996", "de-CH-1996"),
        ("ase", "ase"),
        ("en-US-x-twain", "en-US-x-twain"),
    ],
)
def test_language_tags_are_canonicalised(tag: str, canonical: str) -> None:
    assert _profile(languages=[tag]).languages == (canonical,)


@pytest.mark.parametrize("tag", ["english", "e", "en-", "en--US", "123", "en-US-", "x-private", "en us"])
def test_bad_language_tags(tag: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _profile(languages=["en", tag])
    assert _fields(caught) == {"languages[1]"}


def test_languages_must_be_unique_and_present() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _profile(languages=["en-US", "EN-us"])
    assert _fields(caught) == {"languages"}
    with pytest.raises(ValidationFailed):
        _profile(languages=[])
    with pytest.raises(ValidationFailed):
        _profile(languages=[f"en-{n:03d}" for n in range(11)])


def test_specialties_and_modalities_are_closed_sets() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _profile(specialties=["astrology"], modalities=[])
    assert _fields(caught) == {"specialties[0]", "modalities"}


def test_licensure_depends_on_kind() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _profile(jurisdictions=[])
    assert _fields(caught) == {"jurisdictions"}
    with pytest.raises(ValidationFailed) as caught:
        _profile(kind="peer")
    assert _fields(caught) == {"jurisdictions"}
    assert _profile(kind="peer", jurisdictions=[], agency_ids=["a-1"]).kind is ProviderKind.PEER
    with pytest.raises(ValidationFailed) as caught:
        _profile(kind="peer", jurisdictions=[], agency_ids=[])
    assert _fields(caught) == {"agency_ids"}


def test_who_a_provider_serves() -> None:
    assert not _profile().serves("any-agency")  # not assigned to an agency yet
    assert _profile(agency_ids=["a-1", "a-2"]).serves("a-2")
    assert not _profile(agency_ids=["a-1"]).serves("a-2")
    peer = _profile(kind="peer", jurisdictions=[], agency_ids=["a-1"])
    assert peer.serves("a-1")
    assert not peer.serves("a-2")


@pytest.mark.parametrize("code", ["USA", "U", "US-", "US-ABCD", "US_TX"])
def test_bad_jurisdictions(code: str) -> None:
    with pytest.raises(ValidationFailed):
        _profile(jurisdictions=[code])


def test_timezone_and_bio_caps() -> None:
    with pytest.raises(ValidationFailed) as caught:
        _profile(timezone="Central", bio="x" * 2001)
    assert _fields(caught) == {"timezone", "bio"}


def test_kind_for_role() -> None:
    assert kind_for_role(Role.THERAPIST) is ProviderKind.THERAPIST
    assert kind_for_role(Role.PEER_SUPPORTER) is ProviderKind.PEER
    assert kind_for_role(Role.OFFICER) is None
