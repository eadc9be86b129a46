"""FHIR search parameters: date prefixes become UTC ranges; what we cannot read is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tenfour_gateway.fhir.search import SearchError, check_id, check_names, date_range, page, reference


def test_dates_with_prefixes_intersect_into_one_utc_range() -> None:
    got = date_range(["ge2026-03-08", "lt2026-03-09T02:30:00-06:00"], "date")

    assert got.start == datetime(2026, 3, 8, tzinfo=UTC)
    assert got.end == datetime(2026, 3, 9, 8, 30, tzinfo=UTC)
    assert got.holds(datetime(2026, 3, 8, 23, 59, tzinfo=UTC))
    assert not got.holds(datetime(2026, 3, 9, 8, 30, tzinfo=UTC))


def test_a_bare_date_is_that_whole_day() -> None:
    got = date_range(["2026-11-01"], "date")

    assert (got.start, got.end) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))


@pytest.mark.parametrize(
    "value", ["sa2026-01-01", "tomorrow", "2026-02-30", "ge2026-01-01T10:00", "2026-01-01,2026-01-02"]
)
def test_dates_we_cannot_read_are_refused(value: str) -> None:
    with pytest.raises(SearchError):
        date_range([value], "date")


def test_unknown_parameters_are_named_in_the_refusal() -> None:
    with pytest.raises(SearchError, match=r"patient\.name") as caught:
        check_names("Appointment", {"patient.name": ["Smith"], "date": ["2026-01-01"]})

    assert (caught.value.status, caught.value.code) == (400, "not-supported")
    check_names("Slot", {"schedule": ["Schedule/u-1"], "_count": ["5"]})


@pytest.mark.parametrize("count", ["0", "201", "x", "-1", "9" * 5000])
def test_count_outside_1_to_200_is_refused(count: str) -> None:
    with pytest.raises(SearchError, match="_count"):
        page({"_count": [count]})


def test_references_read_type_and_id() -> None:
    assert reference("Practitioner/u-1", ("Practitioner", "Patient"), "actor") == ("Practitioner", "u-1")
    assert reference("https://x.example/fhir/Patient/u-2", ("Practitioner", "Patient"), "actor") == (
        "Patient",
        "u-2",
    )
    assert reference("u-3", ("Schedule",), "schedule") == ("", "u-3")
    with pytest.raises(SearchError):
        reference("Device/u-4", ("Schedule",), "schedule")


@pytest.mark.parametrize("count", ["²", "١٢"])
def test_counts_in_other_digit_forms_are_refused_or_read_as_numbers(count: str) -> None:
    if count == "²":  # a digit that is not a decimal number
        with pytest.raises(SearchError, match="_count"):
            page({"_count": [count]})
    else:  # Arabic-Indic twelve is a decimal number
        assert page({"_count": [count]}).count == 12


@pytest.mark.parametrize("value", ["Schedule/🠞É", "Practitioner/" + "a" * 65, "Practitioner/a b", ""])
def test_references_to_ids_fhir_cannot_have_are_refused(value: str) -> None:
    with pytest.raises(SearchError, match="actor"):
        reference(value, ("Practitioner", "Schedule"), "actor")
    assert check_id("u-1.1700000000", "_id") == "u-1.1700000000"
    with pytest.raises(SearchError, match="FHIR id"):
        check_id(value.rsplit("/", 1)[-1], "_id")
