"""What an officer can filter providers by: licensure, specialties, modalities, language, etc."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from tenfour_identity.domain.fields import Bio, Identifier, Jurisdiction, LanguageTag, TimeZoneName
from tenfour_identity.domain.validation import DomainModel, fields_invalid, invalid
from tenfour_shared.auth.roles import Role

__all__ = [
    "MAX_AGENCIES_SERVED",
    "MAX_JURISDICTIONS",
    "MAX_LANGUAGES",
    "FirstResponderCompetency",
    "Gender",
    "Modality",
    "ProviderKind",
    "ProviderProfile",
    "Specialty",
    "kind_for_role",
]

MAX_LANGUAGES = 10
MAX_JURISDICTIONS = 60  # compacts such as PSYPACT let one psychologist practise in 40+ states
MAX_AGENCIES_SERVED = 500


class ProviderKind(StrEnum):
    THERAPIST = "therapist"  # licensed clinician
    PEER = "peer"  # trained peer supporter: the tier before a clinician, never licensed


class Specialty(StrEnum):
    TRAUMA_PTSD = "trauma_ptsd"
    CRITICAL_INCIDENT = "critical_incident"
    SUBSTANCE_USE = "substance_use"
    GRIEF = "grief"
    COUPLES_FAMILY = "couples_family"
    DEPRESSION_ANXIETY = "depression_anxiety"
    SLEEP = "sleep"
    STRESS_BURNOUT = "stress_burnout"
    MORAL_INJURY = "moral_injury"
    ANGER = "anger"
    SUICIDE_PREVENTION = "suicide_prevention"
    CAREER_TRANSITION = "career_transition"  # injury, retirement, leaving the job


class Modality(StrEnum):
    INDIVIDUAL = "individual"
    GROUP = "group"
    CRISIS_ON_CALL = "crisis_on_call"


class Gender(StrEnum):
    # Officers often ask for a provider of a given gender; disclosing it is the provider's choice.
    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"


class FirstResponderCompetency(StrEnum):
    NONE = "none"
    TRAINED = "trained"  # completed first-responder culture training
    LIVED_EXPERIENCE = "lived_experience"  # served as a first responder or in a first-responder family


_KIND_FOR_ROLE = {Role.THERAPIST: ProviderKind.THERAPIST, Role.PEER_SUPPORTER: ProviderKind.PEER}


def kind_for_role(role: Role) -> ProviderKind | None:
    """The profile kind an account of `role` may have, or None if it cannot be a provider."""
    return _KIND_FOR_ROLE.get(role)


def _unique_languages(tags: tuple[str, ...]) -> tuple[str, ...]:
    if len({t.lower() for t in tags}) != len(tags):
        raise invalid("must not repeat a language")
    return tags


class ProviderProfile(DomainModel):
    user_id: Identifier
    kind: ProviderKind
    jurisdictions: frozenset[Jurisdiction] = Field(default=frozenset(), max_length=MAX_JURISDICTIONS)
    specialties: frozenset[Specialty] = Field(min_length=1)
    modalities: frozenset[Modality] = Field(min_length=1)
    # Ordered by the provider's fluency; the first is the default language of sessions.
    languages: Annotated[tuple[LanguageTag, ...], AfterValidator(_unique_languages)] = Field(
        min_length=1, max_length=MAX_LANGUAGES
    )
    gender: Gender = Gender.UNDISCLOSED
    first_responder_competency: FirstResponderCompetency = FirstResponderCompetency.NONE
    timezone: TimeZoneName
    bio: Bio = ""
    accepting_new_clients: bool = True
    # Agencies whose officers may book this provider, listed explicitly: a peer serves exactly
    # their own agency; a therapist the agencies a system admin assigned (none: not bookable yet).
    agency_ids: frozenset[Identifier] = Field(default=frozenset(), max_length=MAX_AGENCIES_SERVED)

    @model_validator(mode="after")
    def _licensure(self) -> ProviderProfile:
        if self.kind is ProviderKind.THERAPIST and not self.jurisdictions:
            raise fields_invalid([("jurisdictions", "a therapist must list where they are licensed")])
        if self.kind is ProviderKind.PEER and self.jurisdictions:
            raise fields_invalid([("jurisdictions", "peer supporters are not licensed clinicians")])
        if self.kind is ProviderKind.PEER and len(self.agency_ids) != 1:
            raise fields_invalid([("agency_ids", "a peer supporter serves exactly their own agency")])
        return self

    def serves(self, agency_id: str) -> bool:
        return agency_id in self.agency_ids
